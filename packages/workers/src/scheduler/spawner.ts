/**
 * The spawning side of one thread (the main thread or a worker): it turns
 * `spawn(task, ...args)` into a queued slot.
 *
 * Tokio's `Handle::spawn` allocates a task cell, binds it to the OwnedTasks list and
 * schedules its `Notified` reference. Here:
 * 1. The arguments are encoded into a free slot of this thread's partition (payload.ts);
 *    a value that can't cross throws SerializationError before anything is queued.
 * 2. The slot becomes QUEUED and its reference goes to `submit` (the main thread batches
 *    into the inject queue; a worker uses its LIFO slot and local deque).
 * The way back (the worker's result through this thread's mailbox) is {@link Settler}'s,
 * and a RemoteTask's abort is {@link SlotControl}'s: the spawner only spawns.
 *
 * When a task definition's export name is still being looked up (an async import, once
 * per definition and thread), the spawn waits here with its arguments already encoded.
 * When the partition is full, the main thread's spawns wait here too and are queued as
 * slots free up; a worker's run on the worker itself instead (its {@link LocalRunner}).
 * A full table slows spawning down but never loses a task.
 */
import { JoinError } from '@skein/core';
import { Deque, type Joinable, type TaskDef } from '@skein/core/internal';
import type { PayloadCodec, Snapshot } from '../codec/payload.js';
import { decodeOwned, dropOwned } from '../sync/handle_codec.js';
import type { LocalRunner, PendingSpawn } from './pending_spawn.js';
import { RemoteTask, type RemoteControl } from './remote_task.js';
import type { SharedState } from './shared_state.js';
import type { SlotPartition } from './slot_partition.js';
import type { TaskIds } from './task_ids.js';
import { QUEUED, SLOT_WORDS, S_ABORT, S_OWNER, S_SPAWNER, S_STATE, S_TYPE } from './task_slots.js';

/** The spawner of one thread. */
export class Spawner {
  readonly #sh: SharedState;
  readonly #thread: number;
  readonly #codec: PayloadCodec;
  readonly #ids: TaskIds;
  readonly #partition: SlotPartition;
  readonly #control: RemoteControl;
  readonly #submit: (ref: number) => void;
  readonly #typeIds = new WeakMap<TaskDef, number>();
  /** One-entry cache in front of #typeIds: loops spawn the same definition. */
  #lastDef: TaskDef | undefined = undefined;
  #lastTypeId = 0;
  readonly #pending = new Deque<PendingSpawn>();

  /**
   * `control`: what the RemoteTasks made here report their aborts to; `submit`: where a
   * queued slot's reference goes.
   */
  constructor(
    sh: SharedState,
    thread: number,
    codec: PayloadCodec,
    ids: TaskIds,
    partition: SlotPartition,
    control: RemoteControl,
    submit: (ref: number) => void,
  ) {
    this.#sh = sh;
    this.#thread = thread;
    this.#codec = codec;
    this.#ids = ids;
    this.#partition = partition;
    this.#control = control;
    this.#submit = submit;
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

  /**
   * Spawn `def(...args)` onto the workers. `here`: where it runs if this thread's slots are
   * all taken (workers only; the main thread waits for a slot instead).
   *
   * # Errors
   * SerializationError, before anything is queued, for arguments that can't cross.
   */
  spawn<R>(def: TaskDef<unknown[], R>, args: unknown[], here?: LocalRunner): Joinable<R> {
    const name = def.exportName ?? (def.fn.name || 'anonymous');
    let typeId = def === this.#lastDef ? this.#lastTypeId : this.#typeIds.get(def);
    if (typeId === undefined && def.exportName !== undefined) {
      typeId = this.#sh.types.idFor(def.url, def.exportName);
      this.#typeIds.set(def, typeId);
    }
    if (typeId !== undefined) {
      this.#lastDef = def;
      this.#lastTypeId = typeId;
      const s = this.#partition.peekFree();
      if (s >= 0 && this.#pending.length === 0) {
        this.#codec.writeArgs(s, args, name); // throws before the slot is taken
        this.#partition.take();
        const task = new RemoteTask<R>(this.#control, this.#ids.next(), name);
        this.#partition.countSpawned();
        this.#queue(task as RemoteTask<unknown>, s, typeId);
        return task;
      }
      if (here !== undefined) {
        const snap = this.#codec.snapshotArgs(args, name);
        this.#partition.countSpawned();
        return this.#runHere(here, def.fn as (...a: unknown[]) => unknown, snap, name, this.#ids.next()) as Joinable<R>;
      }
    }
    const snap = this.#codec.snapshotArgs(args, name);
    const task = new RemoteTask<R>(this.#control, this.#ids.next(), name);
    this.#partition.countSpawned();
    const p: PendingSpawn = {
      task: task as RemoteTask<unknown>,
      def: def as TaskDef,
      typeId: typeId ?? 0,
      snap,
      here,
      cancelled: false,
      local: undefined,
    };
    task.pending = p;
    this.#pending.push(p);
    if (typeId === undefined) this.#resolveType(def, p);
    else this.flushPending();
    return task;
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
        p.task.pending = undefined;
        this.#codec.releaseSnapshot(p.snap);
        this.#partition.countFinished();
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
      const s = this.#partition.peekFree();
      if (s < 0) {
        if (p.here === undefined) break;
        q.shift();
        this.#runPendingLocally(p, p.here);
        continue;
      }
      q.shift();
      this.#partition.take();
      this.#codec.writeSnapshot(s, p.snap);
      p.task.pending = undefined;
      this.#queue(p.task, s, p.typeId);
    }
  }

  /**
   * Runs a snapshot's task on this thread; the shared handles in its arguments are the
   * task's, dropped when it ends (as a slot task's are).
   */
  #runHere(
    here: LocalRunner,
    fn: (...a: unknown[]) => unknown,
    snap: Snapshot,
    name: string,
    id: number,
  ): Joinable<unknown> {
    const { value: args, owned } = decodeOwned(() => this.#codec.readSnapshot(snap));
    const local = here.runHere(fn, args, name, id);
    if (owned !== undefined) local.onSettled(() => dropOwned(owned));
    return local;
  }

  #runPendingLocally(p: PendingSpawn, here: LocalRunner): void {
    const t = p.task;
    const local = this.#runHere(here, p.def.fn as (...a: unknown[]) => unknown, p.snap, t.name, t.id);
    p.local = local;
    local.markObserved(); // the RemoteTask reports the outcome
    local.onSettled((ok, v) => {
      if (t.pending === p) t.pending = undefined;
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
    this.#partition.bind(s, task);
    Atomics.store(w, b + S_STATE, QUEUED);
    this.#submit(s + 1);
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
        this.#codec.releaseSnapshot(e.snap);
        e.task.pending = undefined;
        e.task.settle(false, new JoinError('cancelled', e.task.id));
      }
    }
    for (const t of this.#partition.tasks()) t.settle(false, new JoinError('cancelled', t.id));
  }
}
