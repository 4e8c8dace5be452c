/**
 * @skein/core: Tokio's programming model for Node.js.
 *
 * The runtime (current-thread here, multi-thread through @skein/workers), tasks and join
 * handles, time, combinators and cancellation, sync primitives and channels, and metrics.
 * See API.md for the contract and the package README for the choices made where it is
 * silent.
 */
export * from './errors/index.js';

export { Runtime } from './runtime/runtime.js';
export { Builder } from './runtime/builder.js';
export { Handle } from './runtime/handle.js';
export { main } from './runtime/main.js';
export type { RuntimeConfig, ThreadHook } from './runtime/config.js';
export type { TaskDumpEntry } from './runtime/backends.js';
export type { TaskPollTimes } from './task/task_record.js';
export type { SpawnOptions } from './runtime/runtime_core.js';

export { task, isTaskDef } from './task/task_def.js';
export type { Task, TaskDef } from './task/task_def.js';
export { spawn, spawnLocal, spawnBlocking, currentTask } from './task/spawn.js';
export type { CurrentTask } from './task/spawn.js';
export { taskBuilder, TaskBuilder } from './task/task_builder.js';
export { JoinHandle, AbortHandle } from './task/join_handle.js';
export { JoinSet } from './task/join_set.js';
export { yieldNow, coop } from './task/yield_now.js';
export { taskLocal, TaskLocal } from './task/task_local.js';

export { sleep, sleepUntil } from './time/sleep.js';
export { Instant } from './time/instant.js';
export { interval, intervalAt, Interval } from './time/interval.js';
export type { MissedTickBehavior, IntervalOptions } from './time/interval.js';
export { timeout, timeoutAt } from './time/timeout.js';
export { time } from './time/time_control.js';

export { join, tryJoin } from './combinators/join.js';
export type { Branch } from './combinators/join.js';
export { select } from './combinators/select.js';
export type { Selected, SelectOptions } from './combinators/select.js';
export { CancellationToken } from './util/cancellation_token.js';
export { TaskTracker } from './util/task_tracker.js';

export type {
  RuntimeMetrics,
  WorkerMetrics,
  PollTimeHistogram,
  RuntimeMetricsJSON,
  WorkerMetricsJSON,
  PollTimeHistogramJSON,
} from './metrics/runtime_metrics.js';

// Sync primitives and channels (tokio::sync), for tasks on one thread.
export { Mutex, MutexGuard } from './sync/mutex.js';
export { RwLock, RwLockReadGuard, RwLockWriteGuard } from './sync/rwlock.js';
export type { RwLockOptions } from './sync/rwlock.js';
export { Semaphore, Permit, Permit as SemaphorePermit } from './sync/semaphore.js';
export { Notify } from './sync/notify.js';
export { Barrier } from './sync/barrier.js';
export type { BarrierWaitResult } from './sync/barrier.js';
export { OnceCell } from './sync/once_cell.js';
export * as mpsc from './sync/mpsc/index.js';
export * as oneshot from './sync/oneshot.js';
export * as broadcast from './sync/broadcast.js';
export * as watch from './sync/watch.js';
export { Sender, Receiver, UnboundedSender, Permit as SendPermit } from './sync/mpsc/index.js';
export { OneshotSender, OneshotReceiver } from './sync/oneshot.js';
export { BroadcastSender, BroadcastReceiver } from './sync/broadcast.js';
export { WatchSender, WatchReceiver } from './sync/watch.js';
