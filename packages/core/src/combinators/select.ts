/**
 * `select`: Tokio's `select!` over named branches.
 *
 * Every branch is a thunk run in its own child cancel scope. The first to settle wins (a
 * rejection wins too, and `select` rethrows it); the losers' scopes are cancelled at once,
 * so their signals abort and their pending runtime awaits reject with `Cancelled`. As in
 * Tokio, where the losers are dropped before `select!` returns, `select` settles after the
 * losers parked on runtime awaits have run their `finally` blocks (see `cancelBranches`).
 * Branches start in a random rotation unless `biased`, which (as in Tokio) gives fairness
 * when several are ready together; `biased` starts them in declaration order.
 */
import { typeError } from '../errors/invalid_argument.js';
import { afterUnwound, cancelBranches, childScope, runInScope, type Branch, type Thunk } from '../task/scoped.js';

/** The winning branch: its key and value. */
export type Selected<B extends Record<string, Thunk<unknown>>> = {
  [K in keyof B]: { key: K; value: Awaited<ReturnType<B[K]>> };
}[keyof B];

/** Options of {@link select}. */
export interface SelectOptions {
  /** Start branches in declaration order instead of a random rotation. */
  readonly biased?: boolean;
}

/** Wait for the first branch to settle and cancel the rest. */
export function select<B extends Record<string, Thunk<unknown>>>(branches: B, opts?: SelectOptions): Promise<Selected<B>> {
  if (branches === null || typeof branches !== 'object') throw typeError('select() takes an object of branch functions');
  const keys = Object.keys(branches);
  if (keys.length === 0) throw typeError('select() needs at least one branch', 'ERR_INVALID_ARG_VALUE');
  for (const k of keys) {
    if (typeof branches[k] !== 'function') throw typeError(`select() branch "${k}" must be a function (signal) => Promise`);
  }
  const start = opts?.biased === true ? 0 : Math.floor(Math.random() * keys.length);
  return new Promise((resolve, reject) => {
    let done = false;
    const started: Branch<unknown>[] = new Array(keys.length);
    const finish = (winner: number, settle: () => void): void => {
      done = true;
      started[winner]!.scope!.detach();
      afterUnwound(cancelBranches(started.filter((_, i) => i !== winner)), settle);
    };
    // Reactions are asynchronous, so every branch starts before any can win.
    for (let n = 0; n < keys.length; n++) {
      const i = (start + n) % keys.length;
      const key = keys[i]!;
      const scope = childScope();
      const promise = runInScope(scope, branches[key]!);
      started[i] = { promise, scope };
      promise.then((value) => {
        if (!done) finish(i, () => resolve({ key, value } as Selected<B>));
      }, (err: unknown) => {
        if (!done) finish(i, () => reject(err));
      });
    }
  });
}
