/**
 * Starting queued tasks on a worker.
 *
 * In Tokio a worker polls a `Notified` task it popped; the first poll starts the future.
 * Here a popped slot becomes a core {@link LocalTask} on this worker's RuntimeCore, so
 * everything the current-thread flavour offers (currentTask(), sleep, select, JoinSet,
 * timeouts, the sync primitives) works inside it unchanged. Claiming is a CAS
 * QUEUED → RUNNING on the slot's state word; it loses only to `abort()`, whose
 * QUEUED → CANCELLED means the task never starts (the slot goes back to its spawner).
 *
 * Once started, a task can't move: its promise chain lives on this isolate. Its outcome
 * leaves through {@link RunningTasks}.
 *
 * Task modules are imported on first use of a type id and cached per id, and a task's
 * arguments are decoded, before the task is claimed (see {@link TaskRunner.start}): a task
 * is claimed only when it can run at once. A task whose module failed to load, or whose arguments
 * failed to decode, starts as a thin wrapper that fails with that error.
 */
import { SerializationError, isTaskDef, typeError } from '@skein/core';
import { PayloadPending, SabPending, type PayloadCodec } from '../codec/payload.js';
import { importTaskModule } from '../runtime/task_loader.js';
import type { WorkerRuntime } from '../runtime/worker_runtime.js';
import { decodeOwned, dropOwned, type OwnedHandle } from '../sync/handle_codec.js';
import type { RunningTasks } from './running_tasks.js';
import type { SharedState } from './shared_state.js';
import { SlotTask } from './slot_task.js';
import { QUEUED, RUNNING, SLOT_WORDS, S_OWNER, S_SPAWNER, S_STATE, S_TYPE } from './task_slots.js';
import type { WorkerStats } from './worker_stats.js';

type TaskFn = (...args: unknown[]) => unknown;

/** Starts slot tasks on one worker. */
export class TaskRunner {
  readonly #rt: WorkerRuntime;
  readonly #sh: SharedState;
  readonly #me: number;
  readonly #codec: PayloadCodec;
  readonly #stats: WorkerStats;
  readonly #running: RunningTasks;
  readonly #fns: (TaskFn | undefined)[] = [];
  readonly #loading = new Map<number, Promise<TaskFn>>();
  /** Types whose module failed to load: their tasks start and fail with the import error. */
  readonly #loadFailed = new Set<number>();
  /** Whether the task {@link start} last started has no outcome yet (its body awaits). */
  startedPending = false;

  /** `stats` counts the starts; `running` takes the started tasks. */
  constructor(
    rt: WorkerRuntime,
    sh: SharedState,
    me: number,
    codec: PayloadCodec,
    stats: WorkerStats,
    running: RunningTasks,
  ) {
    this.#rt = rt;
    this.#sh = sh;
    this.#me = me;
    this.#codec = codec;
    this.#stats = stats;
    this.#running = running;
  }

  /**
   * Claim and start the task in slot reference `ref` (popped from a queue). Returns a
   * promise instead, claiming nothing, when the task can't run here yet: its module isn't
   * loaded on this thread, or its arguments refer to a side-channel message (a
   * SharedArrayBuffer, a one-shot payload) that hasn't arrived. The caller puts `ref` back
   * in its queue (where siblings may steal it) and waits for the promise. Claiming it
   * anyway would pin it here: the loop would go on claiming the tasks behind it, and when
   * the first one's arguments arrived and it blocked this thread (a task that holds its
   * worker, as CPU-bound tasks do), the rest would sit claimed behind it while a sibling
   * idles.
   *
   * Arguments are decoded before the claim. That is safe: a queued slot is left alone by
   * its spawner until a worker pops it, and a decode that consumed the payload and then
   * lost the claim to `abort()` leaves the slot empty for the spawner to free.
   */
  start(ref: number): Promise<unknown> | undefined {
    const s = ref - 1;
    const w = this.#sh.slots.i32;
    const b = s * SLOT_WORDS;
    const typeId = w[b + S_TYPE]!;
    const fn = this.#fns[typeId];
    if (fn === undefined && !this.#loadFailed.has(typeId)) {
      return this.#load(typeId).catch(() => this.#loadFailed.add(typeId));
    }
    let args: unknown[] | undefined;
    let owned: OwnedHandle[] | undefined;
    let decodeError: unknown;
    // Decoded even for a task whose module failed to load: it fails, but the shared handles
    // its arguments carry are its own all the same, and dropped when it ends.
    try {
      if (this.#codec.isNumeric(s)) args = this.#codec.readArgs(s);
      else ({ value: args, owned } = decodeOwned(() => this.#codec.readArgs(s)));
    } catch (err) {
      if (err instanceof PayloadPending || err instanceof SabPending) return this.#codec.side.whenReady(err.id);
      decodeError = err;
    }
    // A plain store: the CAS below publishes it to whoever reads the state atomically first.
    w[b + S_OWNER] = this.#me;
    if (Atomics.compareExchange(w, b + S_STATE, QUEUED, RUNNING) !== QUEUED) {
      // Aborted while queued: it never runs. Hand the slot back to its spawner to free.
      this.startedPending = false;
      dropOwned(owned);
      this.#running.post(w[b + S_SPAWNER]!, ref);
      return undefined;
    }
    const id = this.#sh.slots.taskId(s);
    const name = this.#sh.types.get(typeId).name;
    let task: SlotTask;
    if (fn !== undefined && args !== undefined) {
      task = new SlotTask(this.#rt, fn, args, name, id, s, owned);
    } else {
      // Its module failed to load, or its arguments failed to decode: it starts and fails
      // with that error, as a panic its JoinHandle reports.
      const fail =
        fn !== undefined
          ? (): never => {
              throw new SerializationError(`the arguments of task ${name}`, decodeError);
            }
          : async (): Promise<never> => {
              await this.#load(typeId); // rejects with the import error
              throw new Error(`skein internal error: the module of task ${name} loaded after failing`);
            };
      task = new SlotTask(this.#rt, fail, undefined, name, id, s, owned);
    }
    this.#running.add(task);
    this.#rt.link(task, fn);
    this.#stats.starts++;
    // Its first poll, here and now (see worker_loop.ts); timed when tracking is on.
    const tracker = this.#rt.scheduler.tracker;
    if (tracker === undefined) task.run();
    else tracker.pollNow(task);
    this.startedPending = !task.isFinished();
    return undefined;
  }

  #load(typeId: number): Promise<TaskFn> {
    let p = this.#loading.get(typeId);
    if (p === undefined) {
      const { url, name } = this.#sh.types.get(typeId);
      p = importTaskModule(url).then((ns) => {
        const exported = ns[name];
        const fn = isTaskDef(exported) ? exported.fn : exported;
        if (typeof fn !== 'function') {
          // The spawning thread found the export; this thread's copy of the module differs.
          throw typeError(
            name in ns
              ? `export "${name}" of ${url} is not a task() definition or a function on this worker (it is ${typeof exported})`
              : `module ${url} has no export named "${name}" on this worker (the spawning thread found one: does the module export it conditionally?)`,
            'ERR_SKEIN_TASK_NOT_A_FUNCTION',
          );
        }
        this.#fns[typeId] = fn as TaskFn;
        return fn as TaskFn;
      });
      this.#loading.set(typeId, p);
    }
    return p;
  }
}
