/**
 * `join` and `tryJoin`: Tokio's `join!` and `try_join!` for promises and thunks.
 *
 * Each thunk runs in its own child cancel scope and receives that scope's AbortSignal.
 * `join` lets every branch run to completion and then rejects with the first error (in
 * completion order) if any failed. `tryJoin` stops at the first error: it cancels the
 * thunks still running (signals abort, runtime awaits reject with `Cancelled`) and rejects
 * once those parked on runtime awaits have unwound, as Tokio drops them before `try_join!`
 * returns (see `cancelBranches`).
 */
import { typeError } from '../errors/invalid_argument.js';
import { afterUnwound, cancelBranches, startBranch, type Thunk } from '../task/scoped.js';

/** A branch: a promise, or a thunk that receives its AbortSignal. */
export type Branch<T> = PromiseLike<T> | Thunk<T>;
type Results<F extends readonly unknown[]> = { -readonly [K in keyof F]: F[K] extends Branch<infer T> ? Awaited<T> : never };

function check(fs: readonly unknown[]): void {
  for (let i = 0; i < fs.length; i++) {
    const f = fs[i];
    if (typeof f !== 'function' && (f === null || typeof f !== 'object' || typeof (f as PromiseLike<unknown>).then !== 'function')) {
      throw typeError(`join branch ${i} must be a promise or a function returning one`);
    }
  }
}

/** Run every branch to completion; resolve with all values, or reject with the first error. */
export async function join<F extends readonly Branch<unknown>[]>(...fs: F): Promise<Results<F>> {
  check(fs);
  const branches = fs.map((f) => startBranch(f as Branch<unknown>));
  let firstError: { err: unknown } | undefined;
  const results = await Promise.all(branches.map((b) => b.promise.then(
    (v) => v,
    (err: unknown) => { firstError ??= { err }; return undefined; },
  )));
  for (const b of branches) b.scope?.detach();
  if (firstError !== undefined) throw firstError.err;
  return results as Results<F>;
}

/** Run the branches concurrently; the first error cancels the others and rejects. */
export function tryJoin<F extends readonly Branch<unknown>[]>(...fs: F): Promise<Results<F>> {
  check(fs);
  const branches = fs.map((f) => startBranch(f as Branch<unknown>));
  return new Promise((resolve, reject) => {
    const results: unknown[] = new Array(branches.length);
    let left = branches.length;
    let failed = false;
    if (left === 0) resolve([] as unknown as Results<F>);
    branches.forEach((b, i) => {
      b.promise.then((v) => {
        results[i] = v;
        if (--left === 0 && !failed) {
          for (const x of branches) x.scope?.detach();
          resolve(results as Results<F>);
        }
      }, (err: unknown) => {
        if (failed) return;
        failed = true;
        b.scope?.detach();
        afterUnwound(cancelBranches(branches.filter((x) => x !== b)), () => reject(err));
      });
    });
  });
}
