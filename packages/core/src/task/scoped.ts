/**
 * Running a thunk in a child cancel scope: how `select`, `join`, `tryJoin`, `timeout` and
 * `runUntilCancelled` cancel one branch of a task without cancelling the task.
 */
import { frames } from './context.js';
import { Scope } from './scope.js';

/** A thunk as the combinators take it: it receives its branch's AbortSignal. */
export type Thunk<T> = (signal: AbortSignal) => T | PromiseLike<T>;

/** A new scope under the current one (or a root when outside every task). */
export function childScope(): Scope {
  return new Scope(frames.getStore()?.scope);
}

/** Start `f` inside `scope`; sync throws become rejections. */
export function runInScope<T>(scope: Scope, f: Thunk<T>): Promise<T> {
  const frame = frames.getStore();
  try {
    return Promise.resolve(frames.run({ task: frame?.task, scope, locals: frame?.locals }, f, scope.signal));
  } catch (err) {
    return Promise.reject(err);
  }
}

/** A started branch: its outcome, and its scope when it is a thunk (which can be cancelled). */
export interface Branch<T> {
  readonly promise: Promise<T>;
  readonly scope: Scope | undefined;
}

/** A promise, or a thunk started in a fresh child scope (returned so it can be cancelled). */
export function startBranch<T>(f: PromiseLike<T> | Thunk<T>): Branch<T> {
  if (typeof f === 'function') {
    const scope = childScope();
    return { promise: runInScope(scope, f), scope };
  }
  return { promise: Promise.resolve(f), scope: undefined };
}

/**
 * Cancel losing branches the way Tokio drops futures, and say when they have unwound.
 *
 * Tokio's `select!`, `try_join!` and `timeout` drop the losers before they return, so a
 * guard or permit a loser held is free by the time the caller continues. A JavaScript branch
 * can't be dropped; it unwinds when its pending runtime await rejects with `Cancelled`. That
 * happens within the current turn, so the returned promise resolves once every loser that
 * was parked on a runtime await has settled (its `finally` blocks have run), or at the next
 * macrotask turn, whichever comes first: cleanup that waits on I/O, and a loser stuck on a
 * foreign promise, carry on in the background rather than hold up the winner. Undefined when
 * no loser was parked, so there is nothing to wait for.
 */
export function cancelBranches(losers: Iterable<Branch<unknown>>): Promise<void> | undefined {
  let parked: Promise<unknown>[] | undefined;
  for (const b of losers) {
    const scope = b.scope;
    if (scope === undefined) continue;
    if (scope.hasPendingWaiters()) (parked ??= []).push(b.promise);
    scope.cancel();
    scope.detach();
  }
  if (parked === undefined) return undefined;
  const waits = parked;
  return new Promise<void>((resolve) => {
    const turn = setImmediate(resolve);
    void Promise.allSettled(waits).then(() => {
      clearImmediate(turn);
      resolve();
    });
  });
}

/** Call `f` once `wait` (from {@link cancelBranches}) is over, or now when there is none. */
export function afterUnwound(wait: Promise<void> | undefined, f: () => void): void {
  if (wait === undefined) f();
  else void wait.then(f);
}
