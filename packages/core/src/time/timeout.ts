/**
 * `timeout` and `timeoutAt`: a deadline on a future.
 *
 * Given a thunk, the thunk runs in its own cancel scope and is cancelled when the deadline
 * passes (its signal aborts, its runtime awaits reject with `Cancelled`), the way Tokio
 * drops the inner future. Given a plain promise, there is nothing to cancel: the timeout
 * only stops waiting for it.
 */
import { assertDuration, assertInstant, typeError } from '../errors/invalid_argument.js';
import { Elapsed } from '../errors/skein_error.js';
import { currentRuntime } from '../runtime/current.js';
import { afterUnwound, cancelBranches, startBranch, type Thunk } from '../task/scoped.js';
import { TimerWaiter } from './driver.js';
import { completeAfterCoop, yieldNow } from '../task/yield_now.js';

/**
 * Resolve with `f`'s value, or reject with {@link Elapsed} after `ms`.
 * Errors: RangeError / TypeError for a bad duration; NoRuntimeError outside a runtime;
 * `Cancelled` when the surrounding task is aborted.
 */
export function timeout<T>(ms: number, f: PromiseLike<T> | Thunk<T>): Promise<T> {
  assertDuration(ms, 'ms');
  const time = currentRuntime('timeout()').time;
  return deadline(time.clock.now() + ms, f, ms);
}

/** Like {@link timeout}, with an absolute deadline (an `Instant.now()` value). */
export function timeoutAt<T>(deadlineAt: number, f: PromiseLike<T> | Thunk<T>): Promise<T> {
  assertInstant(deadlineAt);
  currentRuntime('timeoutAt()');
  return deadline(deadlineAt, f, undefined);
}

function deadline<T>(at: number, f: PromiseLike<T> | Thunk<T>, ms: number | undefined): Promise<T> {
  if (typeof f !== 'function' && (f === null || typeof f !== 'object' || typeof f.then !== 'function')) {
    throw typeError('The "f" argument must be a promise or a function returning one');
  }
  const time = currentRuntime('timeout()').time;
  const branch = startBranch(f);
  return new Promise<T>((resolve, reject) => {
    let done = false;
    const timer = new TimerWaiter();
    time.insertWaiter(timer, at);
    const fail = (err: unknown): void => {
      if (done) return;
      done = true;
      reject(err);
    };
    const expire = (): void => {
      if (done) return;
      done = true;
      // Tokio drops the future before `timeout` returns Elapsed: settle once it unwound.
      afterUnwound(cancelBranches([branch]), () => reject(new Elapsed(ms)));
    };
    // Tokio polls the future before it checks the deadline, so a future woken by the same
    // timer tick (a sleep of the same length) wins. Its continuation runs on microtasks
    // queued after this one: decide after the scheduler's next turn, which also keeps the
    // paused clock from auto-advancing in between.
    timer.promise.then(() => {
      if (!done) yieldNow().then(expire, fail);
    }, fail);
    // The future finishing first is a ready completion of `timeout`: it charges the budget,
    // so a loop on `timeout(ms, readyPromise)` still yields.
    branch.promise.then(
      (v) => {
        if (done) return;
        done = true;
        timer.discard();
        branch.scope?.detach();
        completeAfterCoop(() => resolve(v), reject);
      },
      (err: unknown) => {
        if (done) return;
        done = true;
        timer.discard();
        branch.scope?.detach();
        completeAfterCoop(() => reject(err), reject);
      },
    );
  });
}
