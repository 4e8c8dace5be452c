/**
 * What a task needs from the runtime that runs it, whichever thread that is.
 *
 * The current-thread runtime implements it on the main thread; each worker of the
 * multi-thread flavour implements it on its own thread. Free functions (`spawn`, `sleep`,
 * `Instant.now`, …) find it through the current task, the way Tokio finds its runtime
 * through a thread-local `Handle`.
 */
import type { Logger } from 'pino';
import type { JoinHandle } from '../task/join_handle.js';
import type { Joinable } from '../task/joinable.js';
import type { TaskDef } from '../task/task_def.js';
import type { LocalTask } from '../task/task.js';
import type { TimeDriver } from '../time/driver.js';
import type { Scheduler } from './scheduler.js';

/** Options a spawn may carry. */
export interface SpawnOptions {
  /** A name for task dumps and logs (defaults to the function's name). */
  readonly name?: string;
}

/** The runtime side of one thread. */
export interface RuntimeCore {
  readonly flavor: 'current_thread' | 'multi_thread';
  readonly scheduler: Scheduler;
  readonly time: TimeDriver;
  readonly logger: Logger;
  /** True once shutdown started: spawns throw RuntimeShutdownError. */
  readonly isShutdown: boolean;
  /*
   * Starting tasks. These make no JoinHandle (a promise with its resolve function, 70-100 ns
   * to make, see join_handle.ts): the spawn functions wrap what they return in one, and a
   * JoinSet keeps the task itself. The runtime is known to be open; callers check first.
   */
  /** Run a closure as a task on this thread. */
  startLocal<R>(fn: () => R | PromiseLike<R>, opts?: SpawnOptions): LocalTask<R>;
  /**
   * Run a sendable task definition where the flavour puts such tasks. A name given in
   * `opts` shows in the main thread's task dumps (a worker's own spawns don't carry it).
   */
  startTask<A extends unknown[], R>(def: TaskDef<A, R>, args: A, opts?: SpawnOptions): Joinable<R>;
  /** Run a task definition on the blocking pool. */
  startBlocking<A extends unknown[], R>(def: TaskDef<A, R>, args: A): Joinable<R>;
  /**
   * Run a task definition on the blocking pool, with a handle; throws RuntimeShutdownError
   * once shut down (a worker forwards its spawnBlocking calls here).
   */
  spawnBlockingTask<A extends unknown[], R>(def: TaskDef<A, R>, args: A): JoinHandle<R>;
  /** @internal A task of this runtime reached its outcome. */
  taskSettled(task: LocalTask<unknown>): void;
}
