/**
 * Starting a combinator branch the way Tokio's `select!` and `try_join!` poll a future for
 * the first time: a branch can be ready at once, and then the combinator may stop before
 * starting the next one.
 *
 * JavaScript can only see that for a thunk that returns a plain value or throws: a promise
 * (an `async` thunk's included) can't be inspected synchronously, even one that is already
 * settled, so it always counts as pending on its first poll.
 */
import { frames } from '../task/context.js';
import { childScope } from '../task/scoped.js';
import type { Scope } from '../task/scope.js';
import { isThenable } from '../util/thenable.js';
import type { Branch } from './join.js';

/**
 * Stands in for the outcome of a branch that was ready at once: `cancelBranches` has nothing
 * to wait for. Combinators read `ready`, `ok` and `value` instead.
 */
const SETTLED = Promise.resolve() as Promise<never>;

/** A branch after its first poll: a started branch (see `cancelBranches`), maybe ready already. */
export interface Polled<T> {
  /** Its cancel scope, when it is a thunk. */
  readonly scope: Scope | undefined;
  /** The outcome to wait for, unless `ready`. */
  readonly promise: Promise<T>;
  /** True when the thunk returned a plain value or threw: `ok` and `value` say which. */
  readonly ready: boolean;
  /** When ready: whether it returned (true) or threw (false). */
  readonly ok: boolean;
  /** When ready: the value it returned or the error it threw. */
  readonly value: unknown;
}

/** Start `f` (a thunk in a fresh child scope, or a promise) and say whether it is ready already. */
export function firstPoll<T>(f: Branch<T>): Polled<T> {
  if (typeof f !== 'function')
    return { scope: undefined, promise: Promise.resolve(f), ready: false, ok: true, value: undefined };
  const scope = childScope();
  const frame = frames.getStore();
  let r: unknown;
  try {
    r = frames.run({ task: frame?.task, scope, locals: frame?.locals }, f, scope.signal);
  } catch (err) {
    return { scope, promise: SETTLED, ready: true, ok: false, value: err };
  }
  if (isThenable(r))
    return { scope, promise: Promise.resolve(r as PromiseLike<T>), ready: false, ok: true, value: undefined };
  return { scope, promise: SETTLED, ready: true, ok: true, value: r };
}
