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

/** A promise, or a thunk started in a fresh child scope (returned so it can be cancelled). */
export function startBranch<T>(f: PromiseLike<T> | Thunk<T>): { promise: Promise<T>; scope: Scope | undefined } {
  if (typeof f === 'function') {
    const scope = childScope();
    return { promise: runInScope(scope, f), scope };
  }
  return { promise: Promise.resolve(f), scope: undefined };
}
