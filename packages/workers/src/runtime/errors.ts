/**
 * Errors of the multi-thread scheduler.
 *
 * DESIGN.md: nothing is lost silently. When a worker thread dies (an uncaught error outside
 * any task, `process.exit()` inside a task, running out of memory under resource limits),
 * the tasks it was running can't finish: their JoinHandles reject with a panic JoinError
 * whose `cause` is a {@link WorkerCrashedError} saying what happened. Queued tasks are not
 * affected: they go back to the inject queue and run on another worker.
 */
import { SkeinError } from '@skein/core';
import { registerErrorClass } from '../codec/error_codec.js';

/** Why a worker thread stopped. */
export type WorkerCrashReason = 'exit' | 'uncaught-error' | 'out-of-memory';

/**
 * The thread running a task died before the task finished: a runtime worker (`worker` is
 * its index) or a blocking-pool thread (`worker` is `'blocking'`). Code
 * `ERR_SKEIN_WORKER_CRASHED`.
 */
export class WorkerCrashedError extends SkeinError {
  /** Index of the worker that died, or `'blocking'` for a blocking-pool thread. */
  readonly worker: number | 'blocking';
  readonly reason: WorkerCrashReason;
  /** The thread's exit code, when it exited. */
  readonly exitCode: number | undefined;

  constructor(worker: number | 'blocking', reason: WorkerCrashReason, detail: string, exitCode?: number) {
    super(
      'ERR_SKEIN_WORKER_CRASHED',
      worker === 'blocking'
        ? `a blocking-pool thread crashed (${reason}: ${detail}) while running this job. The pool starts a new thread ` +
            'for the next job. Catch errors inside the job, and do not call process.exit() in it'
        : `worker ${worker} crashed (${reason}: ${detail}) while running this task. The worker has been replaced; ` +
            'queued tasks were moved to other workers. Catch errors inside tasks, and do not call process.exit() in a task',
    );
    this.worker = worker;
    this.reason = reason;
    this.exitCode = exitCode;
  }
}

registerErrorClass(WorkerCrashedError);
