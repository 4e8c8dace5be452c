/**
 * `yieldNow`: give the event loop a macrotask turn (timers and I/O run), then continue.
 * Tokio's `yield_now` defers the task behind the I/O driver; `setImmediate` is Node's
 * equivalent, and the wake still goes through the scheduler.
 */
import { frames } from './context.js';
import { Waiter } from './waiter.js';

/** Yield to the event loop. Cancellable: rejects with `Cancelled` if the task is aborted. */
export function yieldNow(): Promise<void> {
  const task = frames.getStore()?.task;
  if (task === undefined) return new Promise((resolve) => setImmediate(resolve));
  const w = new Waiter<void>();
  if (w.pending) task.scheduler.defer(w as { wake(v: undefined): boolean });
  return w.promise;
}

/**
 * Charge the cooperative budget for a runtime await that is ready now. Returns undefined
 * when the caller may proceed synchronously, or a promise to await first (the budget is
 * spent: the event loop gets a turn; or the scope is cancelled: it rejects with
 * Cancelled). Do the operation only after it resolves, so a cancellation in between loses
 * nothing.
 */
export function coop(): Promise<void> | undefined {
  const frame = frames.getStore();
  const task = frame?.task;
  if (task === undefined) return undefined;
  // A ready await in a cancelled scope must not complete either: yieldNow's waiter, made in
  // that scope, rejects with Cancelled through the scheduler.
  if (frame!.scope?.cancelled === true) return yieldNow();
  if (!task.scheduler.coop(task)) return undefined;
  return yieldNow();
}

/**
 * {@link coop} for a caller with a slower path of its own: true when a ready runtime await
 * may complete now (the budget is charged), false when it must take that path (the scope
 * is cancelled or the budget is spent), which calls `coop` and so counts the forced yield.
 */
export function tryCoop(): boolean {
  const frame = frames.getStore();
  const task = frame?.task;
  if (task === undefined) return true;
  return frame!.scope?.cancelled !== true && task.scheduler.tryCharge(task);
}

/**
 * Complete a ready runtime await that settles from a callback (a combinator whose result
 * is in): charge the budget through {@link coop}, then call `complete`, at once or after
 * the forced yield. `fail` gets the `Cancelled` of a scope cancelled meanwhile.
 */
export function completeAfterCoop(complete: () => void, fail: (err: unknown) => void): void {
  const c = coop();
  if (c === undefined) complete();
  else c.then(complete, fail);
}
