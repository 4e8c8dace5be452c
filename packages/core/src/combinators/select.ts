/**
 * `select`: Tokio's `select!` over named branches.
 *
 * Every branch is a thunk run in its own child cancel scope. The first to settle wins (a
 * rejection wins too, and `select` rethrows it); the losers' scopes are cancelled at once,
 * so their signals abort and their pending runtime awaits reject with `Cancelled`. Branches
 * start in a random rotation unless `biased`, which (as in Tokio) gives fairness when
 * several are ready together; `biased` starts them in declaration order.
 */
import { typeError } from '../errors/invalid_argument.js';
import { childScope, runInScope, type Thunk } from '../task/scoped.js';

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
  const scopes = keys.map(() => childScope());
  return new Promise((resolve, reject) => {
    let done = false;
    const finish = (winner: number): void => {
      done = true;
      for (let i = 0; i < scopes.length; i++) {
        if (i !== winner) scopes[i]!.cancel();
        scopes[i]!.detach();
      }
    };
    for (let n = 0; n < keys.length && !done; n++) {
      const i = (start + n) % keys.length;
      const key = keys[i]!;
      runInScope(scopes[i]!, branches[key]!).then((value) => {
        if (done) return;
        finish(i);
        resolve({ key, value } as Selected<B>);
      }, (err: unknown) => {
        if (done) return;
        finish(i);
        reject(err);
      });
    }
  });
}
