/**
 * Starting and finishing queued tasks on a worker.
 *
 * In Tokio a worker polls a `Notified` task it popped; the first poll starts the future.
 * Here a popped slot becomes a core {@link LocalTask} on this worker's RuntimeCore, so
 * everything the current-thread flavour offers (currentTask(), sleep, select, JoinSet,
 * timeouts, the sync primitives) works inside it unchanged. Claiming is a CAS
 * QUEUED → RUNNING on the slot's state word; it loses only to `abort()`, whose
 * QUEUED → CANCELLED means the task never starts (the slot goes back to its spawner).
 *
 * Once started, a task can't move: its promise chain lives on this isolate. Its outcome is
 * written into the slot (payload.ts), the state becomes DONE, and the slot reference goes
 * to the spawner's mailbox, or straight to this thread's Spawner when it spawned the task
 * itself (a nested spawn awaited on the same worker skips the mailbox).
 *
 * Task modules are imported on first use of a type id and cached per id, before the task
 * is claimed (see {@link TaskRunner.start}). A task whose arguments wait for a side-channel
 * message, or whose module failed to load, starts as a thin async wrapper that finishes
 * the preparation (or fails) inside the task.
 */
import { Cancelled, SerializationError, isTaskDef, type JoinError } from '@skein/core';
import { LocalTask } from '@skein/core/internal';
import { encodeThrown, stripThrown } from '../codec/error_codec.js';
import { PayloadPending, SabPending, type PayloadCodec } from '../codec/payload.js';
import type { SharedState } from './shared_state.js';
import { M_FINISHED } from './shared_state.js';
import type { Spawner } from './spawner.js';
import {
  DONE, QUEUED, RUNNING, SLOT_WORDS, S_ABORT, S_OWNER, S_SPAWNER, S_STATE, S_STATUS, S_TYPE,
  STATUS_CANCELLED, STATUS_OK, STATUS_PANIC,
} from './task_slots.js';
import type { WorkerRuntime } from '../runtime/worker_runtime.js';
import { importTaskModule } from '../runtime/task_loader.js';

type TaskFn = (...args: unknown[]) => unknown;

/** A task started from a slot: a LocalTask that remembers where its outcome goes. */
export class SlotTask extends LocalTask<unknown> {
  /** The slot, until the outcome has been written (then -1: the spawner may reuse it). */
  slot: number;
  argsRead = false;

  constructor(rt: WorkerRuntime, fn: TaskFn, args: unknown[] | undefined, name: string, id: number, slot: number) {
    super(rt, fn, args, name, id);
    this.slot = slot;
  }
}

/** Starts and finishes slot tasks on one worker. */
export class TaskRunner {
  readonly #rt: WorkerRuntime;
  readonly #sh: SharedState;
  readonly #me: number;
  readonly #codec: PayloadCodec;
  readonly #spawner: Spawner;
  readonly #fns: (TaskFn | undefined)[] = [];
  readonly #loading = new Map<number, Promise<TaskFn>>();
  /** Types whose module failed to load: their tasks start and fail with the import error. */
  readonly #loadFailed = new Set<number>();
  readonly #running: (SlotTask | undefined)[] = [];
  #settling: SlotTask | undefined = undefined;
  /** Tasks started (first polls) on this worker. */
  starts = 0;

  constructor(rt: WorkerRuntime, sh: SharedState, me: number, codec: PayloadCodec, spawner: Spawner) {
    this.#rt = rt;
    this.#sh = sh;
    this.#me = me;
    this.#codec = codec;
    this.#spawner = spawner;
  }

  /**
   * Claim and start the task in slot reference `ref` (popped from a queue). Returns a
   * promise instead, claiming nothing, when its module isn't loaded on this thread yet:
   * the caller puts `ref` back in its queue (where siblings may steal it) and waits for the
   * promise. Claiming it now would pin it here for the whole import, and the loop would go
   * on claiming (and pinning) the tasks behind it.
   */
  start(ref: number): Promise<unknown> | undefined {
    const s = ref - 1;
    const w = this.#sh.slots.i32;
    const b = s * SLOT_WORDS;
    const pendingType = w[b + S_TYPE]!;
    if (this.#fns[pendingType] === undefined && !this.#loadFailed.has(pendingType)) {
      return this.#load(pendingType).catch(() => this.#loadFailed.add(pendingType));
    }
    Atomics.store(w, b + S_OWNER, this.#me);
    if (Atomics.compareExchange(w, b + S_STATE, QUEUED, RUNNING) !== QUEUED) {
      // Aborted while queued: it never runs. Hand the slot back to its spawner to free.
      this.#post(w[b + S_SPAWNER]!, ref);
      return undefined;
    }
    const typeId = w[b + S_TYPE]!;
    const id = this.#sh.slots.taskId(s);
    const fn = this.#fns[typeId];
    let task: SlotTask;
    if (fn !== undefined) {
      let args: unknown[] | undefined;
      try {
        args = this.#codec.readArgs(s);
      } catch (err) {
        if (!(err instanceof PayloadPending || err instanceof SabPending)) throw err;
      }
      if (args !== undefined) {
        task = new SlotTask(this.#rt, fn, args, this.#sh.types.get(typeId).name, id, s);
        task.argsRead = true;
      } else {
        task = this.#slowStart(typeId, id, s);
      }
    } else {
      task = this.#slowStart(typeId, id, s);
    }
    this.#running[s] = task;
    this.#rt.link(task);
    this.starts++;
    task.run(); // its first poll, here and now (see worker_loop.ts)
    return undefined;
  }

  /** A task whose function or arguments aren't ready: prepare them inside the task. */
  #slowStart(typeId: number, id: number, s: number): SlotTask {
    const name = this.#sh.types.get(typeId).name;
    const holder: { task?: SlotTask } = {};
    const body = async (): Promise<unknown> => {
      const fn = this.#fns[typeId] ?? (await this.#load(typeId));
      for (;;) {
        const t = holder.task!;
        if (t.slot < 0 || t.cancelled) throw new Cancelled();
        try {
          const args = this.#codec.readArgs(s);
          t.argsRead = true;
          return await fn(...args);
        } catch (err) {
          if (!(err instanceof PayloadPending || err instanceof SabPending)) throw err;
          await this.#codec.side.whenReady(err.id);
        }
      }
    };
    holder.task = new SlotTask(this.#rt, body, undefined, name, id, s);
    return holder.task;
  }

  #load(typeId: number): Promise<TaskFn> {
    let p = this.#loading.get(typeId);
    if (p === undefined) {
      const { url, name } = this.#sh.types.get(typeId);
      p = importTaskModule(url).then((ns) => {
        const exported = ns[name];
        const fn = isTaskDef(exported) ? exported.fn : exported;
        if (typeof fn !== 'function') {
          throw new TypeError(`export "${name}" of ${url} is not a task() definition or a function (it is ${typeof exported})`);
        }
        this.#fns[typeId] = fn as TaskFn;
        return fn as TaskFn;
      });
      this.#loading.set(typeId, p);
    }
    return p;
  }

  /** Called by the runtime when a slot task reached its outcome: write it back. */
  finish(task: SlotTask): void {
    const s = task.slot;
    if (s < 0) return;
    this.#running[s] = undefined;
    this.#settling = task;
    task.onSettled(this.#onOutcome);
  }

  readonly #onOutcome = (ok: boolean, value: unknown): void => {
    const task = this.#settling!;
    this.#settling = undefined;
    const s = task.slot;
    task.slot = -1;
    const w = this.#sh.slots.i32;
    const b = s * SLOT_WORDS;
    const spawner = w[b + S_SPAWNER]!;
    if (!task.argsRead) this.#codec.release(s);
    let status = STATUS_OK;
    if (ok) {
      try {
        this.#codec.writeResult(s, value, spawner, task.name);
      } catch (err) {
        status = STATUS_PANIC;
        this.#writePanic(s, spawner, err instanceof SerializationError ? err : new SerializationError(`the result of task ${task.name}`, err));
      }
    } else if ((value as JoinError).isCancelled()) {
      status = STATUS_CANCELLED;
    } else {
      status = STATUS_PANIC;
      this.#writePanic(s, spawner, (value as JoinError).cause);
    }
    w[b + S_STATUS] = status;
    Atomics.store(w, b + S_STATE, DONE);
    this.#sh.metrics[this.#sh.metric(this.#me, M_FINISHED)]!++;
    this.#post(spawner, s + 1);
  };

  #writePanic(s: number, spawner: number, cause: unknown): void {
    const e = encodeThrown(cause);
    try {
      this.#codec.writeResult(s, e, spawner, 'a panic');
    } catch {
      this.#codec.writeResult(s, stripThrown(e), spawner, 'a panic');
    }
  }

  #post(thread: number, ref: number): void {
    if (thread === this.#me) {
      this.#spawner.completeLocal(ref - 1);
    } else if (!this.#sh.mailboxes[thread]!.push(ref)) {
      this.#rt.logger.error({ slot: ref - 1, thread }, 'completion lost: mailbox full (a sizing bug)');
    }
  }

  /** The spawner asked (through our mailbox) to abort the task in slot `s`. */
  abortNotice(s: number): void {
    const t = this.#running[s];
    if (t === undefined) return;
    const w = this.#sh.slots.i32;
    if (Atomics.load(w, s * SLOT_WORDS + S_ABORT) === 1 && t.id === this.#sh.slots.taskId(s)) t.abort();
  }

  /** Tasks started here and not finished. */
  *live(): Iterable<SlotTask> {
    for (const t of this.#running) if (t !== undefined) yield t;
  }

  /** Shutdown: abort every task started here. */
  abortAll(): void {
    for (const t of this.#running) t?.abort();
  }
}

