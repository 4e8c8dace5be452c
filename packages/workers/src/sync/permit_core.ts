/**
 * The permit core: core's `BatchSemaphore` (permit counter + FIFO waiter queue, partial
 * assignment, cancel give-back, close) laid out in a SharedArrayBuffer, so tasks on any
 * thread can queue on it. SharedSemaphore, SharedMutex, SharedRwLock and the bounded
 * sharedMpsc channel are built on it, as their in-thread namesakes are on BatchSemaphore.
 *
 * The rules are BatchSemaphore's (see its module comment), kept word for word:
 * strict FIFO counted in permits (while anyone waits, the free counter is 0), releases go to
 * waiters first, a cancelled waiter gives back what was assigned to it, closing fails every
 * waiter. What changes is the storage: waiters are nodes of a fixed slab in the buffer,
 * linked into a FIFO list, and each node's STATE word is the doorbell its waiting thread
 * sleeps on (`node_queue.ts`; README.md, "Design"). Every change to the counter, the list or a node happens
 * under one futex mutex (shared/spin_lock.ts) whose critical sections run no user code.
 * A thread can die holding permits: what each owns is counted under the primitive's
 * identity (`ownership.ts`) and {@link PermitCore.releaseThread} gives it back.
 */
import { rangeError } from '@skein/core';
import { MAX_PERMITS } from '@skein/core/internal';
import { lock, unlock } from '../shared/spin_lock.js';
import { CLOSED_STATE, GRANTED, type LocalBell, NodeQueue } from './node_queue.js';
import { Ownership } from './ownership.js';
import { Ledger, type Owned } from './thread_ledger.js';
import { ThreadTable } from './thread_table.js';

// Header words (3..7 are the queue's, see node_queue.ts).
const LOCK = 0;
const PERMITS = 1;
const CLOSED = 2;
const ID = 8; // the primitive's identity: 2 words (`ownership.ts`)
const CAP = 10; // most permits the counter holds (Notify's one stored permit), 0: no cap
const TRACK = 11; // 1: permits taken are owned by the taking thread (locks), see thread_ledger.ts
const HEADER = 16;

/** `acquire` took the permits at once. */
export const TAKEN = -1;
/** `acquire` found the core closed. */
export const REFUSED = -2;
/** `acquire` found every node in use: wait for the queue's `slabChanged`, then retry. */
export const SLAB_FULL = -3;

/** Waiter nodes a primitive has unless told otherwise. */
export const DEFAULT_MAX_QUEUED = 256;

/** One permit core at `base` (an int32 index) of an Int32Array over shared memory. */
export class PermitCore {
  /** Int32 words a core with `maxQueued` waiter nodes occupies. */
  static wordsFor(maxQueued: number): number {
    return HEADER + NodeQueue.wordsFor(maxQueued) + ThreadTable.WORDS;
  }

  /**
   * Writes a core with `permits` free permits and `maxQueued` nodes at `base` of `w`.
   * With `cap` > 0 the free counter never grows past `cap` (permits released beyond it are
   * dropped): Notify's "at most one stored permit". With `track`, permits taken count as
   * owned by the taking thread until released (see {@link releaseThread}).
   */
  static initialize(
    w: Int32Array,
    base: number,
    permits: number,
    maxQueued: number,
    cap = 0,
    track = false,
  ): PermitCore {
    w[base + PERMITS] = permits;
    w[base + CAP] = cap;
    w[base + TRACK] = track ? 1 : 0;
    w[base + CLOSED] = 0;
    Ownership.initialize(w, base + ID);
    NodeQueue.initialize(w, base, base + HEADER, maxQueued);
    return new PermitCore(w, base);
  }

  readonly #w: Int32Array;
  readonly #base: number;
  readonly #tracked: boolean;
  readonly #ownership: Ownership;
  /** The waiters' nodes: their states and waits (`node_queue.ts`). */
  readonly queue: NodeQueue;
  /** Each thread's doorbell (`thread_table.ts`). */
  readonly threads: ThreadTable;
  /**
   * The slab generation when the last `acquire` on this thread returned {@link SLAB_FULL},
   * read under the lock so a node freed right after can't be missed.
   */
  fullGeneration = 0;
  /**
   * This thread's doorbell entry and what rings it here: a release on this thread that
   * grants this thread's waiters wakes them directly, without an event-loop turn.
   */
  localBell: LocalBell | undefined = undefined;

  /** Attaches to the core `initialize` wrote at `base` of `w` (any thread). */
  constructor(w: Int32Array, base: number) {
    this.#w = w;
    this.#base = base;
    this.#tracked = w[base + TRACK] === 1;
    this.#ownership = new Ownership(w, base + ID);
    this.queue = new NodeQueue(w, base, base + HEADER);
    this.threads = new ThreadTable(w, base + HEADER + NodeQueue.wordsFor(this.queue.nodes), base + LOCK);
  }

  /**
   * Counts `n` (negative: gives back) as owned by this thread: held permits of a tracked
   * core, or channel ends (see `thread_ledger.ts`). A no-op on a thread without a ledger.
   */
  own(n: number, which: Ledger = Ledger.owned): void {
    this.#ownership.own(n, which);
  }

  /** Permits held by a task leave this thread without a release (a forgotten permit). */
  disown(n: number): void {
    if (this.#tracked) this.own(-n);
  }

  /** The primitive's identity, the same from every handle on every thread. */
  id(): number {
    return this.#ownership.id();
  }

  /** The identity of the core at `base` of `w` (see {@link id}), without attaching to it. */
  static idAt(w: Int32Array, base: number): number {
    return Ownership.idAt(w, base + ID);
  }

  /** Free permits (0 while anyone is queued). */
  available(): number {
    return Atomics.load(this.#w, this.#base + PERMITS);
  }

  isClosed(): boolean {
    return Atomics.load(this.#w, this.#base + CLOSED) !== 0;
  }

  /**
   * Take `n` permits if they are free now and the core is open; never queues. Lock-free
   * (a CAS on PERMITS), like Tokio's `try_acquire`: a non-empty queue means PERMITS is 0.
   */
  tryTake(n: number): boolean {
    const w = this.#w;
    const at = this.#base + PERMITS;
    // Plain reads, because an Atomics call costs ~150 instructions and this runs once per
    // channel send: the CAS alone decides. A stale count only costs a retry (the CAS returns
    // the real one) or a false "none free"; a close that happened before this call (in the
    // memory model's sense) is seen by any read, and one racing it may go either way.
    if (w[this.#base + CLOSED] !== 0) return false;
    let p = w[at]!;
    for (;;) {
      if (p < n) return false;
      const seen = Atomics.compareExchange(w, at, p, p - n);
      if (seen === p) {
        if (this.#tracked) this.own(n);
        return true;
      }
      p = seen;
    }
  }

  /** Takes up to `n` free permits (CAS); returns how many. */
  #takeUpTo(n: number): number {
    const w = this.#w;
    const at = this.#base + PERMITS;
    for (;;) {
      const p = Atomics.load(w, at);
      const k = Math.min(p, n);
      if (k === 0) return 0;
      if (Atomics.compareExchange(w, at, p, p - k) === p) return k;
    }
  }

  /**
   * Take `n` permits, or queue for them: returns {@link TAKEN}, {@link REFUSED} (closed),
   * {@link SLAB_FULL}, or the index of the node now queued (it holds what was free toward
   * `n`). A queued node must end in {@link finish} or {@link cancel}. `bell` is the
   * waiting thread's doorbell entry (`threads.claim()`), -1 to be woken on the node itself.
   */
  acquire(n: number, bell = -1): number {
    const w = this.#w;
    const b = this.#base;
    lock(w, b + LOCK);
    if (w[b + CLOSED] !== 0) {
      unlock(w, b + LOCK);
      return REFUSED;
    }
    const took = this.#takeUpTo(n);
    if (took === n) {
      unlock(w, b + LOCK);
      if (this.#tracked) this.own(n);
      return TAKEN;
    }
    const q = this.queue;
    const alone = q.head() === -1;
    const node = q.push(n, bell);
    if (node === -1) {
      this.fullGeneration = q.generation();
      this.#release(took);
      unlock(w, b + LOCK);
      this.#wakeGranted();
      return SLAB_FULL;
    }
    // A lock-free release that read HEAD before we linked left its permits in PERMITS
    // (Dekker: it adds, then reads HEAD; we link, then read PERMITS). As the only waiter,
    // they are ours.
    const remaining = alone ? n - took - this.#takeUpTo(n - took) : n - took;
    if (remaining === 0) {
      q.unlink(node);
      q.free(node);
      unlock(w, b + LOCK);
      q.wakeSlab();
      if (this.#tracked) this.own(n);
      return TAKEN;
    }
    q.wait(node, remaining);
    unlock(w, b + LOCK);
    return node;
  }

  /** Frees a node its waiter saw GRANTED or CLOSED (the grant is now the waiter's). */
  finish(node: number): void {
    const w = this.#w;
    const b = this.#base;
    const q = this.queue;
    lock(w, b + LOCK);
    const got = q.state(node) === GRANTED ? q.requested(node) : 0;
    q.free(node);
    unlock(w, b + LOCK);
    q.wakeSlab();
    if (this.#tracked && got > 0) this.own(got);
  }

  /**
   * The waiter of `node` was cancelled: a node still queued leaves the queue and gives back
   * what was assigned to it; one granted meanwhile gives back everything. Frees the node.
   */
  cancel(node: number): void {
    const w = this.#w;
    const b = this.#base;
    const q = this.queue;
    lock(w, b + LOCK);
    const giveBack = q.giveUp(node);
    this.#release(giveBack);
    unlock(w, b + LOCK);
    // A stale waitAsync of this thread on the node resolves now rather than never.
    q.notifyNode(node);
    this.#wakeGranted();
    q.wakeSlab();
  }

  /**
   * Return `n` permits: to the queue first (FIFO), the rest to the counter. Lock-free when
   * nobody waits (the common case of a channel whose receiver keeps up).
   */
  release(n: number): void {
    if (n <= 0) return;
    if (this.#tracked) this.own(-n);
    const w = this.#w;
    const b = this.#base;
    const q = this.queue;
    // The first look at the queue is a plain read (a hint): either branch is correct, and
    // the one that matters, after the add, is atomic (Dekker with `acquire`).
    if (q.headHint() === -1 && w[b + CAP] === 0) {
      Atomics.add(w, b + PERMITS, n);
      if (q.head() === -1) return;
      // Someone queued meanwhile and may not have seen these: hand over what is free.
      lock(w, b + LOCK);
      this.#release(this.#takeUpTo(MAX_PERMITS));
    } else {
      lock(w, b + LOCK);
      this.#release(n);
    }
    unlock(w, b + LOCK);
    this.#wakeGranted();
  }

  /** `release`, refusing to grow the counter past MAX_PERMITS (`addPermits`). */
  add(n: number): void {
    const w = this.#w;
    const b = this.#base;
    lock(w, b + LOCK);
    const now = Atomics.load(w, b + PERMITS);
    if (now + n > MAX_PERMITS) {
      unlock(w, b + LOCK);
      throw rangeError(`a semaphore can hold at most ${MAX_PERMITS} permits; adding ${n} to ${now} would exceed it`);
    }
    this.#release(n);
    unlock(w, b + LOCK);
    this.#wakeGranted();
  }

  /** Remove up to `n` free permits for good; returns how many were removed. */
  forget(n: number): number {
    return this.#takeUpTo(n);
  }

  /** Fail every waiter (their assigned permits return to the counter) and every later acquire. */
  close(): void {
    const w = this.#w;
    const b = this.#base;
    lock(w, b + LOCK);
    if (w[b + CLOSED] !== 0) {
      unlock(w, b + LOCK);
      return;
    }
    w[b + CLOSED] = 1;
    const q = this.queue;
    for (let node = q.head(); node !== -1; node = q.next(node)) {
      Atomics.add(w, b + PERMITS, q.assigned(node));
      q.settle(node, CLOSED_STATE);
    }
    q.clear();
    unlock(w, b + LOCK);
    this.#wakeGranted();
  }

  /**
   * Thread `tid` has exited owning `held` of this primitive (its ledger's entry): its queued
   * nodes leave the queue giving back what was assigned, its granted but unclaimed nodes
   * give back everything, its doorbell entry is freed, and (a tracked core) the permits its
   * tasks held are released. Any thread; call it only once `tid` can no longer run. Returns
   * `held` (a channel gives back the ends counted there itself) and the nodes dropped.
   */
  releaseThread(tid: number, held: Owned): Owned & { nodes: number } {
    const w = this.#w;
    const b = this.#base;
    const q = this.queue;
    lock(w, b + LOCK);
    const { nodes, permits } = q.giveUpThread(tid);
    this.threads.release(tid);
    const { owned, receivers } = held;
    this.#release(this.#tracked && owned > 0 ? permits + owned : permits);
    unlock(w, b + LOCK);
    this.#wakeGranted();
    if (nodes > 0) q.wakeSlab();
    return { nodes, owned, receivers };
  }

  /** Queued waiters (a snapshot). */
  queued(): number {
    const w = this.#w;
    const b = this.#base;
    lock(w, b + LOCK);
    const n = this.queue.count();
    unlock(w, b + LOCK);
    return n;
  }

  /**
   * Notify's wake-ups: grant the oldest (`first`) or newest queued node, or, with nobody
   * queued, store a permit (up to the cap). Returns nothing: the woken waiter, on whatever
   * thread, resumes with its grant.
   */
  grantOne(first: boolean): void {
    const w = this.#w;
    const b = this.#base;
    const q = this.queue;
    lock(w, b + LOCK);
    const node = first ? q.head() : q.tail();
    if (node === -1) this.#release(1);
    else q.settle(node, GRANTED);
    unlock(w, b + LOCK);
    this.#wakeGranted();
  }

  /** Grant every node queued now (Notify's `notifyWaiters`); stores no permit. */
  grantAll(): void {
    const w = this.#w;
    const b = this.#base;
    const q = this.queue;
    lock(w, b + LOCK);
    for (let node = q.head(); node !== -1; node = q.head()) q.settle(node, GRANTED);
    unlock(w, b + LOCK);
    this.#wakeGranted();
  }

  /** After LOCK: wakes the waiters of the nodes settled under it. */
  #wakeGranted(): void {
    this.queue.wakeGranted(this.threads, this.localBell);
  }

  // Under LOCK from here on.

  #release(n: number): void {
    const w = this.#w;
    const b = this.#base;
    const q = this.queue;
    while (n > 0) {
      const node = q.head();
      if (node === -1) break;
      const rem = q.remaining(node);
      if (rem > n) {
        q.setRemaining(node, rem - n);
        return;
      }
      n -= rem;
      q.settle(node, GRANTED);
    }
    if (n <= 0) return;
    const cap = w[b + CAP]!;
    if (cap === 0) Atomics.add(w, b + PERMITS, n);
    else Atomics.store(w, b + PERMITS, Math.min(cap, w[b + PERMITS]! + n));
  }
}
