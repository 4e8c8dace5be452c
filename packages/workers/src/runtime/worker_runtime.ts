/**
 * The runtime side of one worker thread: core's `RuntimeCore`, so tasks on a worker see the
 * same task/time/sync layer as on the current-thread flavour.
 *
 * In Tokio every worker of the multi-thread scheduler is a full runtime context: a task on
 * it can spawn, sleep and await as anywhere else. Here each worker owns a core Scheduler
 * (run queue + coop budget for *started* tasks) and a TimeDriver (its own timer wheel);
 * the worker loop feeds it tasks from the shared queues. Spawning from a worker task:
 * - a `task()` definition goes to this worker's LIFO slot / local deque, where siblings
 *   can steal it (Tokio's `schedule_local`);
 * - a closure (`spawn(fn)`, `spawnLocal`) runs on this worker, as it can't cross threads;
 * - `spawnBlocking` goes to the runtime's blocking pool, through the main thread.
 * `Handle.current()` in a task here wraps this worker's {@link WorkerHandleTarget}.
 */
import type { Logger } from 'pino';
import type { Handle, JoinHandle, SpawnOptions, TaskDumpEntry } from '@skein/core';
import {
  LocalTask,
  OwnedTasks,
  handleOf,
  joinHandle,
  Scheduler,
  TaskRecorder,
  TimeDriver,
  taskDumpEntry,
  type Joinable,
  type RuntimeCore,
  type SchedulerCounters,
  type TaskDef,
  type TrackingSettings,
} from '@skein/core/internal';
import type { BlockingForwarder } from '../control/blocking_forward.js';
import type { LocalRunner } from '../scheduler/pending_spawn.js';
import type { RunningTasks } from '../scheduler/running_tasks.js';
import { M_FINISHED, M_SPAWNED, type SharedState } from '../scheduler/shared_state.js';
import { SlotTask } from '../scheduler/slot_task.js';
import type { Spawner } from '../scheduler/spawner.js';
import type { TaskIds } from '../scheduler/task_ids.js';
import { workerViewMetrics } from './metrics.js';
import { WorkerHandleTarget } from './worker_handle.js';

/** What a worker's runtime is built with, besides its shared state. */
export interface WorkerRuntimeParts {
  readonly ids: TaskIds;
  readonly logger: Logger;
  /** Task tracking's settings, when it is on. */
  readonly tracking: TrackingSettings | undefined;
  /** The core scheduler's counters (its poll times go to shared memory). */
  readonly counters: SchedulerCounters;
  /** Where its task definitions are spawned. */
  readonly spawner: Spawner;
  /** Where its slot tasks' outcomes go. */
  readonly running: RunningTasks;
  /** Where its `spawnBlocking` calls go (the main thread's pool). */
  readonly blocking: BlockingForwarder;
  /** The core scheduler ran dry (besides the time driver's auto-advance). */
  readonly onIdle: () => void;
  /** The core scheduler has work again (besides the time driver). */
  readonly onBusy: () => void;
  /** Before each run of the core scheduler's queue (see SchedulerOptions.beforeDrain). */
  readonly beforeDrain: () => void;
}

/** One worker thread's runtime. */
export class WorkerRuntime implements RuntimeCore, LocalRunner {
  readonly flavor = 'multi_thread' as const;
  readonly scheduler: Scheduler;
  readonly time: TimeDriver;
  readonly logger: Logger;
  readonly index: number;
  isShutdown = false;
  readonly #sh: SharedState;
  readonly #ids: TaskIds;
  readonly #spawner: Spawner;
  readonly #running: RunningTasks;
  readonly #blocking: BlockingForwarder;
  readonly #owned = new OwnedTasks();
  #handle: Handle | undefined = undefined;

  constructor(sh: SharedState, index: number, parts: WorkerRuntimeParts) {
    this.#sh = sh;
    this.index = index;
    this.#ids = parts.ids;
    this.logger = parts.logger;
    this.#spawner = parts.spawner;
    this.#running = parts.running;
    this.#blocking = parts.blocking;
    const time = (this.time = new TimeDriver());
    const { onIdle, onBusy, beforeDrain, tracking } = parts;
    this.scheduler = new Scheduler({
      counters: parts.counters,
      tracker: tracking === undefined ? undefined : new TaskRecorder(tracking, parts.logger, () => this.#owned),
      onIdle: () => {
        time.schedulerIdle();
        onIdle();
      },
      onBusy: () => {
        time.schedulerBusy();
        onBusy();
      },
      beforeDrain,
    });
  }

  /** Tasks alive on this worker (started slot tasks and local closures). */
  get numAlive(): number {
    return this.#owned.count;
  }

  /**
   * This worker's Handle (one per worker, made on first use): what `Handle.current()`
   * returns in its tasks.
   */
  handle(): Handle {
    return (this.#handle ??= handleOf(
      new WorkerHandleTarget(this, workerViewMetrics(this.#sh, this.index, this.scheduler.counters)),
    ));
  }

  /** Run a closure as a task on this worker. */
  spawnLocal<R>(fn: () => R | PromiseLike<R>, opts?: SpawnOptions): JoinHandle<R> {
    return joinHandle(this.startLocal(fn, opts));
  }

  /** `spawnLocal` without the JoinHandle (see RuntimeCore). */
  startLocal<R>(fn: () => R | PromiseLike<R>, opts?: SpawnOptions): LocalTask<R> {
    const t = new LocalTask<R>(this, fn, undefined, opts?.name, this.#ids.next());
    this.#sh.metrics[this.#sh.metric(this.index, M_SPAWNED)]!++;
    this.link(t as LocalTask<unknown>, fn);
    this.scheduler.schedule(t);
    return t;
  }

  /** LocalRunner: run a task definition's function here, as a local task (the spawner's slots are full). */
  runHere(fn: (...args: unknown[]) => unknown, args: unknown[], name: string, id: number): LocalTask<unknown> {
    const t = new LocalTask<unknown>(this, fn, args, name, id);
    this.link(t, fn);
    this.scheduler.schedule(t);
    return t;
  }

  /** Spawn a task definition onto the workers, starting from this worker's own deque. */
  spawnTask<A extends unknown[], R>(def: TaskDef<A, R>, args: A): JoinHandle<R> {
    return joinHandle(this.startTask(def, args));
  }

  /** `spawnTask` without the JoinHandle. */
  startTask<A extends unknown[], R>(def: TaskDef<A, R>, args: A): Joinable<R> {
    return this.#spawner.spawn(def as unknown as TaskDef<unknown[], R>, args, this);
  }

  /** Run a task definition on the runtime's blocking pool (forwarded to the main thread). */
  spawnBlockingTask<A extends unknown[], R>(def: TaskDef<A, R>, args: A): JoinHandle<R> {
    return joinHandle(this.startBlocking(def, args));
  }

  /** `spawnBlockingTask` without the JoinHandle. */
  startBlocking<A extends unknown[], R>(def: TaskDef<A, R>, args: A): Joinable<R> {
    return this.#blocking.spawn(def as unknown as TaskDef<unknown[], R>, args, this.#ids.next());
  }

  /**
   * @internal Track a task started on this worker (task dumps, shutdown); `body` is the
   * function it runs (task tracking's site cache keys on it).
   */
  link(t: LocalTask<unknown>, body: unknown): void {
    if (this.scheduler.tracker !== undefined) this.scheduler.tracker.spawned(t, body);
    this.#owned.insert(t);
  }

  /** @internal RuntimeCore: a task reached its outcome. */
  taskSettled(t: LocalTask<unknown>): void {
    this.#owned.remove(t);
    if (t instanceof SlotTask) this.#running.finish(t);
    else this.#sh.metrics[this.#sh.metric(this.index, M_FINISHED)]!++;
  }

  /** Every live task on this worker. */
  dump(): TaskDumpEntry[] {
    const out: TaskDumpEntry[] = [];
    for (const t of this.#owned) out.push(taskDumpEntry(t, this.index, this.scheduler.tracker));
    return out;
  }

  /**
   * Shutdown: stop accepting spawns, abort every task, and resolve once each task that was
   * parked on a runtime await has run its cleanup. Tasks stuck on foreign promises are
   * detached, not awaited.
   */
  async shutdown(): Promise<void> {
    this.isShutdown = true;
    await this.#owned.cancelAll(this);
    this.time.close();
    this.scheduler.tracker?.close();
  }
}
