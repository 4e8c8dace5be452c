/**
 * The seams between @skein/core and @skein/workers.
 *
 * The multi-thread scheduler and the blocking pool need worker threads, shared memory and
 * piscina; the current-thread runtime needs none of that. So core defines what it needs
 * from them here and loads @skein/workers only when a runtime asks for them, with an
 * install hint when the package is missing.
 */
import type { RecordableHistogram } from 'node:perf_hooks';
import type { Logger } from 'pino';
import { SkeinError } from '../errors/skein_error.js';
import type { Joinable } from '../task/joinable.js';
import type { TaskDef } from '../task/task_def.js';
import type { TaskPollTimes } from '../task/task_record.js';
import type { WorkerMetrics } from '../metrics/runtime_metrics.js';
import type { RuntimeConfig } from './config.js';
import type { RuntimeCore } from './runtime_core.js';

/** The blocking pool, as core uses it. */
export interface BlockingBackend {
  spawn<A extends unknown[], R>(def: TaskDef<A, R>, args: A): Joinable<R>;
  readonly numThreads: number;
  readonly numIdleThreads: number;
  readonly queueDepth: number;
  /**
   * Stop. Queued jobs are cancelled; running ones may finish for `timeoutMs` (forever when
   * undefined) before their threads are terminated; `force` terminates them at once.
   */
  close(timeoutMs: number | undefined, force: boolean): Promise<void>;
}

/**
 * One entry of a task dump. `id`, `name`, `state` and `thread` are always there; the rest
 * only with task tracking (`Builder.taskTracking`), times in ms.
 */
export interface TaskDumpEntry {
  readonly id: number;
  readonly name: string;
  /**
   * 'queued' (not started yet), 'running' (started; with tracking: being polled now),
   * 'finished' (its body still unwinding after an abort); with tracking also 'scheduled'
   * (woken, waiting in a run queue) and 'idle' (parked on an await).
   */
  readonly state: 'queued' | 'scheduled' | 'running' | 'idle' | 'finished';
  /** Worker index, or 'main' for tasks on the main thread. */
  readonly thread: number | 'main';
  /** The same as `thread` (its first name). */
  readonly worker: number | 'main';
  /** `file:line` of the spawn (tasks spawned on another thread don't carry it across). */
  readonly spawnSite?: string;
  /**
   * What a parked task awaits and where: `'Mutex.lock at app.ts:12'`, `'sleep at …'`,
   * `'JoinHandle'`, or `'foreign promise'` when it awaits a promise the runtime doesn't drive.
   */
  readonly waitingOn?: string;
  readonly polls?: number;
  /** Times something woke it. */
  readonly wakes?: number;
  /**
   * Time in polls, woken but queued, and parked; and since its spawn. A task spawned during
   * a poll counts as spawned when that poll began (it saves a clock read per spawn).
   */
  readonly busyMs?: number;
  readonly scheduledMs?: number;
  readonly idleMs?: number;
  readonly totalMs?: number;
  readonly longestPollMs?: number;
  /** Locks and semaphores it holds permits of, e.g. `['Mutex#3']` (with tracking). */
  readonly holding?: readonly string[];
  /** The lock or semaphore a parked task waits on, e.g. `'Mutex#3'` (with tracking). */
  readonly waitingOnResource?: string;
  /**
   * Why nothing can wake it (with tracking, once parked past the stuck threshold on a
   * foreign promise, or on a lock whose holders all finished without releasing it).
   */
  readonly stuck?: string;
  /** Its poll times in microseconds: count, min, max, mean, `[percentile, us]` points (with tracking). */
  readonly pollTimes?: TaskPollTimes;
  /**
   * True when its worker didn't answer in time (it is in a long poll): the entry is what
   * shared memory knows, without the tracked figures.
   */
  readonly stale?: boolean;
}

/** The multi-thread scheduler, as core uses it. */
export interface MultiThreadBackend {
  spawn<A extends unknown[], R>(def: TaskDef<A, R>, args: A): Joinable<R>;
  readonly numWorkers: number;
  readonly numAliveTasks: number;
  readonly spawnedTasksCount: number;
  readonly globalQueueDepth: number;
  /** Forced yields on the workers (as last published by each). */
  readonly budgetForcedYieldCount: number;
  /**
   * Each worker's poll-time histogram (nanoseconds): copies that share the native
   * histogram the worker records into (postMessage clones a RecordableHistogram that way).
   */
  readonly pollTimeHistograms: readonly RecordableHistogram[];
  worker(i: number): WorkerMetrics;
  /** Abort everything and wait (at most `timeoutMs`, then terminate). */
  shutdown(timeoutMs: number | undefined): Promise<void>;
  /** Start shutting down; terminate threads without waiting. */
  shutdownBackground(): void;
  taskDump(): Promise<TaskDumpEntry[]>;
}

/** What @skein/workers exports for core. */
export interface WorkersModule {
  createMultiThreadBackend(config: RuntimeConfig, main: RuntimeCore, logger: Logger): Promise<MultiThreadBackend>;
  createBlockingBackend(config: RuntimeConfig, logger: Logger): BlockingBackend;
}

let loaded: Promise<WorkersModule | undefined> | undefined;

/** Import @skein/workers once; undefined when it isn't installed. */
export function loadWorkers(): Promise<WorkersModule | undefined> {
  return (loaded ??= import('@skein/workers' as string).then(
    (m: WorkersModule) => m,
    (err: unknown) => {
      if (
        (err as { code?: string }).code === 'ERR_MODULE_NOT_FOUND' &&
        String((err as Error).message).includes('@skein/workers')
      )
        return undefined;
      throw err;
    },
  ));
}

/** The error for a feature that needs @skein/workers when it isn't installed. */
export class WorkersMissingError extends SkeinError {
  constructor(feature: string) {
    super(
      'ERR_SKEIN_WORKERS_MISSING',
      `${feature} needs the @skein/workers package. Install it next to @skein/core: \`npm install @skein/workers\``,
    );
  }
}
