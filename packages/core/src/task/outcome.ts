/**
 * A task's outcome as its JoinHandle sees it, written once for every kind of task: waking
 * the joiner and the listeners when it settles, joining one that has settled, and logging a
 * panic nobody awaited. `LocalTask` (this thread) packs its state into its own fields and
 * calls these; {@link ExternalTask} (blocking jobs, tasks on another worker) is built on them.
 */
import type { Logger } from 'pino';
import type { JoinError } from '../errors/join_error.js';
import type { Waiter } from './waiter.js';
import { coop } from './yield_now.js';

/** Called once with a task's outcome: its value, or its JoinError. */
export type OutcomeListener<T> = (ok: boolean, value: T | JoinError) => void;

/** What the "never awaited" log asks of a task. */
export interface ObservedTask {
  readonly id: number;
  /** Whether anyone asked for the outcome (a join, a JoinSet). */
  isObserved(): boolean;
}

/** Hand a settled outcome to the task's joiner (if one waits) and then to its listeners. */
export function announceOutcome<T>(
  joiner: Waiter<T> | undefined,
  listeners: OutcomeListener<T>[] | undefined,
  ok: boolean,
  value: T | JoinError,
): void {
  if (joiner !== undefined) {
    if (ok) joiner.wake(value as T);
    else joiner.fail(value);
  }
  if (listeners !== undefined) for (const l of listeners) l(ok, value);
}

/**
 * Log a panic nobody has asked for by the next macrotask (Tokio drops it silently; a lost
 * error is worse in JavaScript). `name` is read now: a task's name may be gone later.
 */
export function logIfNeverAwaited(task: ObservedTask, name: string, error: JoinError, logger: Logger): void {
  if (task.isObserved() || !error.isPanic()) return;
  setImmediate(() => {
    if (!task.isObserved())
      logger.error(
        { taskId: task.id, task: name, err: error.cause },
        'task panicked and its JoinHandle was never awaited',
      );
  });
}

/**
 * Join a task that has settled. Still a runtime await: it charges the cooperative budget (a
 * loop over finished handles must not starve timers and I/O) and rejects with Cancelled in
 * a cancelled task; `retry` joins again once the budget allows.
 */
export function joinSettled<T>(ok: boolean, value: T | JoinError, retry: () => Promise<T>): Promise<T> {
  const c = coop();
  if (c !== undefined) return c.then(retry);
  return ok ? Promise.resolve(value as T) : Promise.reject(value);
}
