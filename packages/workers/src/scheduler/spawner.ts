/**
 * The spawning side of one thread (the main thread or a worker): it turns
 * `spawn(task, ...args)` into a queued slot and completions back into settled JoinHandles.
 *
 * Tokio's `Handle::spawn` allocates a task cell, binds it to the OwnedTasks list and
 * schedules its `Notified` reference; the JoinHandle later reads the output from the cell.
 * Here:
 * 1. The arguments are encoded into a free slot of this thread's partition (payload.ts);
 *    a value that can't cross throws SerializationError before anything is queued.
 * 2. The slot becomes QUEUED and its reference goes to `submit` (the main thread batches
 *    into the inject queue; a worker uses its LIFO slot and local deque).
 * 3. The worker that finishes it writes the result into the slot and pushes the reference
 *    to this thread's mailbox; {@link Spawner.drain} settles the RemoteTask and frees the
 *    slot. Every slot comes back exactly once (as a completion, or as a notice that it was
 *    cancelled while queued), so only this thread touches its partition's free list.
 *
 * When a task definition's export name is still being looked up (an async import, once
 * per definition and thread), the spawn waits here with its arguments already encoded.
 * When the partition is full, the main thread's spawns wait here too and are queued as
 * slots free up; a worker's run on the worker itself instead ({@link Spawner.runLocally}).
 * A full table slows spawning down but never loses a task.
 */
import type { Logger } from 'pino';
import { JoinError } from '@skein/core';
import { Deque, type Joinable, type TaskDef } from '@skein/core/internal';
import '../codec/core_errors.js'; // decoded panics keep skein's classes
import { decodeThrown, type EncodedThrown } from '../codec/error_codec.js';
import { PayloadPending, SabPending, type PayloadCodec, type Snapshot } from '../codec/payload.js';
import type { Mailbox } from '../shared/mailbox.js';
import { RemoteTask, type RemoteSpawner } from './remote_task.js';
import { M_FINISHED, M_SPAWNED, type SharedState } from './shared_state.js';
import type { TaskIds } from './task_ids.js';
import {
  ABORT_BIT,
  CANCELLED,
  DONE,
  FREE,
  QUEUED,
  RUNNING,
  SLOT_WORDS,
  S_ABORT,
  S_OWNER,
  S_SPAWNER,
  S_STATE,
  S_STATUS,
  S_TYPE,
  STATUS_CANCELLED,
  STATUS_OK,
  STATUS_PANIC,
} from './task_slots.js';

/** A spawn waiting for a slot or for its type's export name. */
interface PendingSpawn {
  readonly task: RemoteTask<unknown>;
  readonly def: TaskDef;
  typeId: number;
  readonly snap: Snapshot;
  cancelled: boolean;
  /** Set when the task ended up running on this thread (see {@link LocalRunner}). */
  local: Joinable<unknown> | undefined;
}

/**
 * Runs a task on the spawning thread itself (a worker whose slot partition is full).
 * Returns the started task.
 */
export type LocalRunner = (
  fn: (...args: unknown[]) => unknown,
  args: unknown[],
  name: string,
  id: number,
) => Joinable<unknown>;

/** Where a worker's mailbox sends abort notices (workers only). */
export type AbortNoticeHandler = (slot: number) => void;

/** The spawner of one thread. */
export class Spawner implements RemoteSpawner {
  readonly logger: Logger;
  readonly #sh: SharedState;
  readonly #thread: number;
  readonly #codec: PayloadCodec;
  readonly #ids: TaskIds;
  readonly #submit: (ref: number) => void;
  readonly #mailbox: Mailbox;
  readonly #base: number;
  readonly #free: Int32Array;
  #freeTop = 0;
  readonly #handles: (RemoteTask<unknown> | undefined)[];
  readonly #typeIds = new WeakMap<TaskDef, number>();
  /** One-entry cache in front of #typeIds: loops spawn the same definition. */
  #lastDef: TaskDef | undefined = undefined;
  #lastTypeId = 0;
  readonly #pending = new Deque<PendingSpawn>();
  #inFlight = 0;
  onAbortNotice: AbortNoticeHandler | undefined = undefined;
  /** Workers: abort every running task whose slot says so (notices that found the mailbox full). */
  onAbortSweep: (() => void) | undefined = undefined;
  /**
   * Workers only: where a spawn goes when this thread's slots are all taken. Waiting for a
   * slot could deadlock there (the slots may all be held by running tasks awaiting the
   * very children that wait), so the child runs on this worker instead, as a local task:
   * not stealable, but always able to make progress. The main thread waits instead (its
   * tasks never hold slots while waiting on main-thread spawns).
   */
  runLocally: LocalRunner | undefined = undefined;
  /** Called when the number of in-flight tasks goes from 0 to 1 (start draining). */
  onBusy: (() => void) | undefined = undefined;
  /**
   * Called when the number of in-flight tasks someone awaits goes from 0 to 1 (true) and
   * back (false): the main thread stays alive exactly while a pending outcome is awaited.
   */
  onWatchedChange: ((watched: boolean) => void) | undefined = undefined;
  #watched = 0;

  constructor(
    sh: SharedState,
    thread: number,
    codec: PayloadCodec,
    ids: TaskIds,
    submit: (ref: number) => void,
    logger: Logger,
  ) {
    this.#sh = sh;
    this.#thread = thread;
    this.#codec = codec;
    this.#ids = ids;
    this.#submit = submit;
    this.logger = logger;
    this.#mailbox = sh.mailboxes[thread]!;
    this.#base = sh.slotBase(thread);
    const count = sh.slotCount(thread);
    this.#free = new Int32Array(count);
    this.#handles = new Array<RemoteTask<unknown> | undefined>(count);
    // Slots still occupied (a replacement worker inheriting a dead one's partition) come
    // back through the mailbox and are freed then.
    for (let i = count - 1; i >= 0; i--) if (sh.slots.state(this.#base + i) === FREE) this.#free[this.#freeTop++] = i;
  }

  /** Tasks spawned from here and not yet completed back (including waiting ones). */
  get inFlight(): number {
    return this.#inFlight;
  }

  /** Spawns waiting for a free slot. */
  get waiting(): number {
    return this.#pending.length;
  }

  /** The tasks of the spawns waiting here (for task dumps). */
  waitingTasks(): RemoteTask<unknown>[] {
    const out: RemoteTask<unknown>[] = [];
    for (const p of this.#pending) if (!p.cancelled) out.push(p.task);
    return out;
  }

  /** Spawn `def(...args)` onto the workers. Throws SerializationError before queueing anything. */
  spawn<R>(def: TaskDef<unknown[], R>, args: unknown[]): Joinable<R> {
    const name = def.exportName ?? (def.fn.name || 'anonymous');
    let typeId = def === this.#lastDef ? this.#lastTypeId : this.#typeIds.get(def);
    if (typeId === undefined && def.exportName !== undefined) {
      typeId = this.#sh.types.idFor(def.url, def.exportName);
      this.#typeIds.set(def, typeId);
    }
    if (typeId !== undefined) {
      this.#lastDef = def;
      this.#lastTypeId = typeId;
      if (this.#freeTop > 0 && this.#pending.length === 0) {
        const local = this.#free[this.#freeTop - 1]!;
        const s = this.#base + local;
        this.#codec.writeArgs(s, args, name); // throws before the slot is taken
        this.#freeTop--;
        const task = new RemoteTask<R>(this, this.#ids.next(), name);
        this.#track(task as RemoteTask<unknown>);
        this.#queue(task as RemoteTask<unknown>, s, typeId);
        return task;
      }
      if (this.runLocally !== undefined) {
        const snap = this.#codec.snapshotArgs(args, name);
        this.#sh.metrics[this.#sh.metric(this.#thread, M_SPAWNED)]!++;
        return this.runLocally(
          def.fn as (...a: unknown[]) => unknown,
          this.#codec.readSnapshot(snap),
          name,
          this.#ids.next(),
        ) as Joinable<R>;
      }
    }
    const snap = this.#codec.snapshotArgs(args, name);
    const task = new RemoteTask<R>(this, this.#ids.next(), name);
    this.#track(task as RemoteTask<unknown>);
    const p: PendingSpawn = {
      task: task as RemoteTask<unknown>,
      def: def as TaskDef,
      typeId: typeId ?? 0,
      snap,
      cancelled: false,
      local: undefined,
    };
    task.pending = p;
    this.#pending.push(p);
    if (typeId === undefined) this.#resolveType(def, p);
    else this.flushPending();
    return task;
  }

  #track(_task: RemoteTask<unknown>): void {
    this.#sh.metrics[this.#sh.metric(this.#thread, M_SPAWNED)]!++;
    if (this.#inFlight++ === 0) this.onBusy?.();
  }

  #untrack(): void {
    this.#inFlight--;
  }

  /** RemoteSpawner: someone started or stopped waiting for a task's outcome. */
  watch(delta: 1 | -1): void {
    const before = this.#watched;
    this.#watched += delta;
    if (before === 0 && delta === 1) this.onWatchedChange?.(true);
    else if (this.#watched === 0) this.onWatchedChange?.(false);
  }

  #resolveType(def: TaskDef, p: PendingSpawn): void {
    def.resolveName().then(
      (exportName) => {
        const id = this.#sh.types.idFor(def.url, exportName);
        this.#typeIds.set(def, id);
        p.typeId = id;
        this.flushPending();
      },
      (err: unknown) => {
        if (p.cancelled) return;
        p.cancelled = true;
        this.#codec.releaseSnapshot(p.snap);
        this.#finishedHere();
        this.#untrack();
        p.task.settle(false, new JoinError('panic', p.task.id, err));
        this.flushPending();
      },
    );
  }

  /** Queue waiting spawns while slots are free (in spawn order). */
  flushPending(): void {
    const q = this.#pending;
    for (let p = q.peek(); p !== undefined; p = q.peek()) {
      if (p.cancelled) {
        q.shift();
        continue;
      }
      if (p.typeId === 0) break;
      if (this.#freeTop === 0) {
        if (this.runLocally === undefined) break;
        q.shift();
        this.#runPendingLocally(p);
        continue;
      }
      q.shift();
      const s = this.#base + this.#free[--this.#freeTop]!;
      this.#codec.writeSnapshot(s, p.snap);
      p.task.pending = undefined;
      this.#queue(p.task, s, p.typeId);
    }
  }

  #runPendingLocally(p: PendingSpawn): void {
    const t = p.task;
    const local = this.runLocally!(
      p.def.fn as (...a: unknown[]) => unknown,
      this.#codec.readSnapshot(p.snap),
      t.name,
      t.id,
    );
    p.local = local;
    local.markObserved(); // the RemoteTask reports the outcome
    local.onSettled((ok, v) => {
      if (t.pending === p) {
        t.pending = undefined;
        this.#untrack();
      }
      t.settle(ok, v);
    });
  }

  #queue(task: RemoteTask<unknown>, s: number, typeId: number): void {
    const slots = this.#sh.slots;
    const w = slots.i32;
    const b = s * SLOT_WORDS;
    w[b + S_TYPE] = typeId;
    slots.setTaskId(s, task.id);
    w[b + S_SPAWNER] = this.#thread;
    w[b + S_OWNER] = -1;
    w[b + S_ABORT] = 0;
    task.slot = s;
    this.#handles[s - this.#base] = task;
    Atomics.store(w, b + S_STATE, QUEUED);
    this.#submit(s + 1);
  }

  /** RemoteSpawner: stop a task that is waiting, queued or running. */
  abortRemote(task: RemoteTask<unknown>): void {
    const p = task.pending as PendingSpawn | undefined;
    if (p !== undefined) {
      task.pending = undefined;
      this.#untrack();
      if (p.local !== undefined) {
        p.local.abort(); // running here: abort it like any local task
        return;
      }
      p.cancelled = true;
      this.#codec.releaseSnapshot(p.snap);
      this.#finishedHere();
      return;
    }
    const s = task.slot;
    if (s < 0) return;
    const w = this.#sh.slots.i32;
    const b = s * SLOT_WORDS;
    const prev = Atomics.compareExchange(w, b + S_STATE, QUEUED, CANCELLED);
    if (prev === QUEUED) {
      this.#finishedHere(); // it never runs; the worker that pops it hands the slot back
    } else if (prev === RUNNING) {
      Atomics.store(w, b + S_ABORT, 1);
      const owner = Atomics.load(w, b + S_OWNER);
      if (owner >= 0 && !this.#sh.mailboxes[owner]!.push((s + 1) | ABORT_BIT)) {
        // Its mailbox has room for completions, not for a notice per task it runs: have it
        // sweep its running tasks for the abort flag instead (set above, before this).
        this.#sh.mailboxes[owner]!.signal();
      }
    }
  }

  #finishedHere(): void {
    this.#sh.metrics[this.#sh.metric(this.#thread, M_FINISHED)]!++;
  }

  /** Drain this thread's mailbox: settle handles, free slots, queue waiting spawns. */
  drain(): number {
    if (this.#mailbox.takeSignal()) this.onAbortSweep?.();
    const n = this.#mailbox.drain(this.#onEntry);
    if (n > 0 && this.#pending.length > 0) this.flushPending();
    return n;
  }

  /** Whether completions are waiting in this thread's mailbox. */
  hasCompletions(): boolean {
    return this.#mailbox.hasPending();
  }

  readonly #onEntry = (ref: number): void => {
    if ((ref & ABORT_BIT) !== 0) {
      this.onAbortNotice?.((ref & ~ABORT_BIT) - 1);
      return;
    }
    this.#complete(ref - 1);
  };

  /** A task this thread spawned finished on this thread: settle it without the mailbox. */
  completeLocal(s: number): void {
    this.#complete(s);
  }

  #complete(s: number): void {
    const local = s - this.#base;
    const task = this.#handles[local];
    const slots = this.#sh.slots;
    const b = s * SLOT_WORDS;
    const state = Atomics.load(slots.i32, b + S_STATE);
    if (state !== DONE || task === undefined || task.isFinished()) {
      // Cancelled while queued (args never read), an aborted task's late result, or an
      // orphan of a dead thread: nothing to report, just release.
      this.#codec.release(s);
      this.#freeSlot(s, task);
      return;
    }
    const status = slots.i32[b + S_STATUS]!;
    if (status === STATUS_CANCELLED) {
      this.#codec.release(s);
      this.#freeSlot(s, task);
      task.settle(false, new JoinError('cancelled', task.id));
      return;
    }
    let value: unknown;
    try {
      value = this.#codec.readResult(s);
    } catch (err) {
      if (err instanceof PayloadPending || err instanceof SabPending) {
        this.#codec.side.whenReady(err.id).then(
          () => this.#complete(s),
          () => undefined,
        );
        return;
      }
      this.#freeSlot(s, task);
      task.settle(false, new JoinError('panic', task.id, err));
      return;
    }
    this.#freeSlot(s, task);
    if (status === STATUS_OK) task.settle(true, value);
    else
      task.settle(
        false,
        new JoinError('panic', task.id, status === STATUS_PANIC ? decodeThrown(value as EncodedThrown) : value),
      );
  }

  #freeSlot(s: number, task: RemoteTask<unknown> | undefined): void {
    const local = s - this.#base;
    if (task !== undefined) {
      this.#handles[local] = undefined;
      task.slot = -1;
      this.#untrack();
    }
    Atomics.store(this.#sh.slots.i32, s * SLOT_WORDS + S_STATE, FREE);
    this.#free[this.#freeTop++] = local;
  }

  /**
   * Shutdown: every task spawned from here that hasn't completed is cancelled (the
   * handles reject with a cancelled JoinError) at once, whatever its worker is doing.
   * Slots still in flight keep their place: their late completions free them as usual.
   */
  cancelAll(): void {
    for (const e of this.#pending.drain()) {
      if (!e.cancelled) {
        e.cancelled = true;
        e.task.pending = undefined;
        this.#untrack();
        e.task.settle(false, new JoinError('cancelled', e.task.id));
      }
    }
    for (const t of this.#handles) if (t !== undefined) t.settle(false, new JoinError('cancelled', t.id));
  }
}
