/**
 * The waiter queue of a permit core: a fixed slab of nodes in shared memory, a free list of
 * the unused ones and a FIFO list (HEAD → TAIL) of the queued ones, each node's STATE word
 * being the doorbell of its wait. It keeps no permits: the core decides what a node's
 * counts mean. Every change happens under the core's lock (`permit_core.ts`); what a
 * change must wake is collected here and woken after the lock is dropped ({@link wakeGranted}).
 */
import { threadId } from 'node:worker_threads';
import { RESOLVED, waitAsync } from '../shared/wait_async.js';
import type { ThreadTable } from './thread_table.js';

// The core's header words that belong to the queue.
const HEAD = 3;
const TAIL = 4;
const FREE = 5;
const NODES = 6;
/** Bumped whenever a node is freed (overflowed waiters sleep on it). */
const SLAB_GEN = 7;

// Node words.
const N_STATE = 0;
const N_REQUESTED = 1;
const N_REMAINING = 2;
const N_NEXT = 3;
const N_PREV = 4;
const N_THREAD = 5;
const N_SLOT = 6; // the waiting thread's doorbell entry, or -1 (it waits on STATE itself)
const NODE_WORDS = 8;

/** A queued node's STATE: still waiting for permits. */
export const WAITING = 0;
/** Every permit asked for was assigned; the waiter owns them once it reads this. */
export const GRANTED = 1;
/** The core closed while the node waited; nothing is assigned to it any more. */
export const CLOSED_STATE = 2;
/** Not in use. */
export const FREE_STATE = 3;

/** (node, doorbell) pairs granted under the lock, woken after it is dropped. */
const granted: number[] = [];

/** A thread's doorbell entry and what rings it from this thread (no event-loop turn). */
export interface LocalBell {
  readonly slot: number;
  ring(): void;
}

/** The queue of the core whose header is at `base` and whose slab starts at `slab`. */
export class NodeQueue {
  /** Int32 words a slab of `maxQueued` nodes occupies. */
  static wordsFor(maxQueued: number): number {
    return maxQueued * NODE_WORDS;
  }

  /** Writes an empty queue of `maxQueued` free nodes (before the buffer is shared). */
  static initialize(w: Int32Array, base: number, slab: number, maxQueued: number): void {
    w[base + HEAD] = -1;
    w[base + TAIL] = -1;
    w[base + NODES] = maxQueued;
    for (let i = 0; i < maxQueued; i++) {
      const at = slab + i * NODE_WORDS;
      w[at + N_STATE] = FREE_STATE;
      w[at + N_NEXT] = i + 1 < maxQueued ? i + 1 : -1;
    }
    Atomics.store(w, base + FREE, 0);
  }

  readonly #w: Int32Array;
  readonly #base: number;
  readonly #slab: number;
  /** Nodes in the slab. */
  readonly nodes: number;

  constructor(w: Int32Array, base: number, slab: number) {
    this.#w = w;
    this.#base = base;
    this.#slab = slab;
    this.nodes = Atomics.load(w, base + NODES);
  }

  #at(node: number): number {
    return this.#slab + node * NODE_WORDS;
  }

  /** The oldest queued node, -1 if none (a lock-free peek is a snapshot). */
  head(): number {
    return Atomics.load(this.#w, this.#base + HEAD);
  }

  /** {@link head} by a plain read: may be stale, for a caller whose every branch is correct. */
  headHint(): number {
    return this.#w[this.#base + HEAD]!;
  }

  /** The newest queued node, -1 if none. */
  tail(): number {
    return this.#w[this.#base + TAIL]!;
  }

  /** The generation of the slab (see {@link free}). */
  generation(): number {
    return this.#w[this.#base + SLAB_GEN]!;
  }

  state(node: number): number {
    return Atomics.load(this.#w, this.#at(node) + N_STATE);
  }

  requested(node: number): number {
    return Atomics.load(this.#w, this.#at(node) + N_REQUESTED);
  }

  /** Permits the node still waits for. */
  remaining(node: number): number {
    return this.#w[this.#at(node) + N_REMAINING]!;
  }

  /** Permits assigned to the node so far. */
  assigned(node: number): number {
    const at = this.#at(node);
    return this.#w[at + N_REQUESTED]! - this.#w[at + N_REMAINING]!;
  }

  /** The threadId of the node's waiter. */
  thread(node: number): number {
    return this.#w[this.#at(node) + N_THREAD]!;
  }

  next(node: number): number {
    return this.#w[this.#at(node) + N_NEXT]!;
  }

  /**
   * Takes a free node for this thread's waiter of `n` permits (doorbell `bell`) and links it
   * at the tail; its STATE is set by {@link wait}. Returns -1 when every node is in use.
   */
  push(n: number, bell: number): number {
    const w = this.#w;
    const b = this.#base;
    const node = w[b + FREE]!;
    if (node === -1) return -1;
    const at = this.#at(node);
    w[b + FREE] = w[at + N_NEXT]!;
    w[at + N_REQUESTED] = n;
    w[at + N_THREAD] = threadId;
    w[at + N_SLOT] = bell;
    w[at + N_NEXT] = -1;
    const tail = w[b + TAIL]!;
    w[at + N_PREV] = tail;
    if (tail === -1) Atomics.store(w, b + HEAD, node);
    else w[this.#at(tail) + N_NEXT] = node;
    w[b + TAIL] = node;
    return node;
  }

  /** A node {@link push} linked still waits for `remaining` permits: publish it as WAITING. */
  wait(node: number, remaining: number): void {
    const at = this.#at(node);
    this.#w[at + N_REMAINING] = remaining;
    Atomics.store(this.#w, at + N_STATE, WAITING);
  }

  /** `remaining` permits are still owed to `node`. */
  setRemaining(node: number, remaining: number): void {
    this.#w[this.#at(node) + N_REMAINING] = remaining;
  }

  /** Unlinks `node` with `state` (GRANTED or CLOSED_STATE) and records its waiter for {@link wakeGranted}. */
  settle(node: number, state: number): void {
    const at = this.#at(node);
    if (state === GRANTED) {
      this.#w[at + N_REMAINING] = 0;
      this.unlink(node);
    }
    Atomics.store(this.#w, at + N_STATE, state);
    granted.push(node, this.#w[at + N_SLOT]!);
  }

  /** Empties the list (every node was settled); the nodes stay in use until freed. */
  clear(): void {
    Atomics.store(this.#w, this.#base + HEAD, -1);
    this.#w[this.#base + TAIL] = -1;
  }

  unlink(node: number): void {
    const w = this.#w;
    const b = this.#base;
    const at = this.#at(node);
    const prev = w[at + N_PREV]!;
    const next = w[at + N_NEXT]!;
    if (prev === -1) Atomics.store(w, b + HEAD, next);
    else w[this.#at(prev) + N_NEXT] = next;
    if (next === -1) w[b + TAIL] = prev;
    else w[this.#at(next) + N_PREV] = prev;
    w[at + N_PREV] = -1;
    w[at + N_NEXT] = -1;
  }

  /** Returns `node` to the free list and bumps the slab's generation. */
  free(node: number): void {
    const w = this.#w;
    const b = this.#base;
    const at = this.#at(node);
    Atomics.store(w, at + N_STATE, FREE_STATE);
    w[at + N_NEXT] = w[b + FREE]!;
    w[b + FREE] = node;
    w[b + SLAB_GEN] = (w[b + SLAB_GEN]! + 1) | 0;
  }

  /**
   * Frees `node`, whose waiter gave it up (cancelled, or its thread died): a node still
   * queued leaves the queue. Returns the permits to give back: what was assigned to it, or
   * everything if it was granted.
   */
  giveUp(node: number): number {
    const state = this.state(node);
    let give = 0;
    if (state === WAITING) {
      this.unlink(node);
      give = this.assigned(node);
    } else if (state === GRANTED) {
      give = this.requested(node);
    }
    this.free(node);
    return give;
  }

  /** {@link giveUp} every node of thread `tid`, which has died: how many, and the permits to give back. */
  giveUpThread(tid: number): { nodes: number; permits: number } {
    let nodes = 0;
    let permits = 0;
    for (let i = 0; i < this.nodes; i++) {
      if (this.state(i) === FREE_STATE || this.thread(i) !== tid) continue;
      permits += this.giveUp(i);
      nodes++;
    }
    return { nodes, permits };
  }

  /** Queued nodes (under the lock). */
  count(): number {
    let n = 0;
    for (let node = this.#w[this.#base + HEAD]!; node !== -1; node = this.next(node)) n++;
    return n;
  }

  // Waits: any time, no lock.

  /** Resolves once `node` is no longer WAITING (or spuriously: check {@link state} again). */
  changed(node: number): Promise<unknown> {
    const r = waitAsync(this.#w, this.#at(node) + N_STATE, WAITING);
    return r.async ? r.value : RESOLVED;
  }

  /** Blocks the thread until `node` is no longer WAITING; returns its state. */
  waitSync(node: number): number {
    const at = this.#at(node) + N_STATE;
    for (;;) {
      const s = Atomics.load(this.#w, at);
      if (s !== WAITING) return s;
      Atomics.wait(this.#w, at, WAITING);
    }
  }

  /** Resolves once a node was freed after generation `gen`. */
  slabChanged(gen: number): Promise<unknown> {
    const r = waitAsync(this.#w, this.#base + SLAB_GEN, gen);
    return r.async ? r.value : RESOLVED;
  }

  /** Blocks the thread until a node is freed after generation `gen`. */
  slabChangedSync(gen: number): void {
    Atomics.wait(this.#w, this.#base + SLAB_GEN, gen);
  }

  // After the lock.

  /** Wakes a stale wait of this thread on `node` (its waiter gave it up). */
  notifyNode(node: number): void {
    Atomics.notify(this.#w, this.#at(node) + N_STATE);
  }

  /** Wakes the waiters of every node settled since the last call: one ring per doorbell. */
  wakeGranted(threads: ThreadTable, local: LocalBell | undefined): void {
    let here = false;
    for (let i = 0; i < granted.length; i += 2) {
      const slot = granted[i + 1]!;
      if (slot < 0) this.notifyNode(granted[i]!);
      else if (local !== undefined && slot === local.slot) here = true;
      else threads.ring(slot);
    }
    granted.length = 0;
    if (here) local!.ring();
  }

  /** Wakes the waiters of a free node. */
  wakeSlab(): void {
    Atomics.notify(this.#w, this.#base + SLAB_GEN);
  }
}
