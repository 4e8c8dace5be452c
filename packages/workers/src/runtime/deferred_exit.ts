/**
 * `process.exit()` called by a task on a runtime worker.
 *
 * Tokio stores a task's output the moment its poll returns Ready. Here an async task's
 * outcome is stored by a promise reaction, a microtask after its body returned. If another
 * task on the same worker killed the thread with `process.exit()` in between (both woken
 * by one timer tick, say), the finished task would be reported crashed with the unfinished
 * ones, and a caller that retries on WorkerCrashedError would run it twice.
 *
 * So on a worker, `process.exit()` called from task code ends the calling task's
 * synchronous run by throwing {@link WorkerExitRequest} (as `process.exit()` never returns
 * to its caller), lets the microtasks already queued run, so outcomes of bodies that have
 * returned get stored, and exits the thread from the next macrotask with the requested
 * code. The caller's task is reported crashed like every task the thread was still
 * running. Code outside any task exits at once, as Node does.
 */

/** Thrown by `process.exit()` inside a task on a worker: the thread exits right after. */
export class WorkerExitRequest extends Error {
  /** The code the thread exits with. */
  readonly exitCode: number | string | null | undefined;

  constructor(exitCode: number | string | null | undefined) {
    super(`process.exit(${exitCode ?? ''}) was called in a task: the worker thread exits after the current microtasks`);
    this.name = 'WorkerExitRequest';
    this.exitCode = exitCode;
  }
}

/**
 * Make `process.exit()` in task code (where `inTask()` is true) a deferred exit. `onExit`
 * runs once, when the first request is made (the worker stops claiming tasks).
 */
export function deferTaskExits(inTask: () => boolean, onExit: () => void): void {
  const exit = process.exit.bind(process);
  let requested = false;
  process.exit = ((code?: number | string | null): never => {
    if (!inTask()) return exit(code);
    if (!requested) {
      requested = true;
      onExit();
      setImmediate(() => exit(code));
      // Called from a callback a task registered (a timer, say), the throw is uncaught:
      // that must not turn the exit into a crash with another reason and code.
      if (!process.hasUncaughtExceptionCaptureCallback()) {
        process.setUncaughtExceptionCaptureCallback((err) => {
          if (!(err instanceof WorkerExitRequest)) exit(code);
        });
      }
    }
    throw new WorkerExitRequest(code);
  }) as typeof process.exit;
}
