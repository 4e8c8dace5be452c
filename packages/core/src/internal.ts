/**
 * @skein/core/internal: the kernel pieces @skein/workers builds on (the scheduler, tasks,
 * waiters, the timer driver). Not part of the public contract: names here may change.
 */
export { Scheduler, SchedulerCounters, BUDGET, type Runnable, type SchedulerOptions } from './runtime/scheduler.js';
export { LocalTask, allocateTaskId } from './task/task.js';
export { OwnedTasks } from './task/owned_tasks.js';
export { CallbackWaiter, JoinWaiter, Waiter, type Joined, type OnCancel } from './task/waiter.js';
export { Scope } from './task/scope.js';
export { frames, currentFrame, type Frame, type Locals } from './task/context.js';
export { tryCoop } from './task/yield_now.js';
export type { Joinable } from './task/joinable.js';
export { JoinHandle, joinHandle } from './task/join_handle.js';
export { ExternalTask } from './task/external_task.js';
export { TimeDriver } from './time/driver.js';
export { MAX_PERMITS } from './sync/batch_semaphore.js';
export { QueuedWaiter, WaitList, type WaitNode } from './sync/wait_list.js';
export { Clock } from './time/clock.js';
export { unsendableArgument } from './task/sendable.js';
export { TASK_MODULE_IMPORTS, assertNoTaskModuleImport } from './task/task_module_import.js';
export { TASK_MARKER, assertBlockingDef, isTaskDef, spawnTarget, taskDefOf, type TaskDef } from './task/task_def.js';
export type { RuntimeCore, SpawnOptions } from './runtime/runtime_core.js';
export { handleOf, type HandleTarget } from './runtime/handle.js';
export type { RuntimeConfig, ThreadHook } from './runtime/config.js';
export type { BlockingBackend, MultiThreadBackend, TaskDumpEntry, WorkersModule } from './runtime/backends.js';
export { runThreadHook } from './runtime/thread_hooks.js';
export { makeLogger } from './runtime/logger.js';
export { metricsToJSON, pollHistogram, type WorkerMetrics, type RuntimeMetrics } from './metrics/runtime_metrics.js';
export { TaskRecorder, type TrackingSettings } from './task/tracking.js';
export { taskDumpEntry } from './runtime/task_dump.js';
export { Deque } from './util/deque.js';
export { isThenable } from './util/thenable.js';
