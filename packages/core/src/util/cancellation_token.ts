/**
 * `CancellationToken` (tokio-util): a tree of cancellation flags. Cancelling a token
 * cancels its children, never its parent. `cancelled()` is a runtime await (cancel-safe,
 * woken through the scheduler); `signal` bridges to AbortSignal-based APIs.
 */
import { typeError } from '../errors/invalid_argument.js';
import { afterUnwound, cancelBranches, startBranch, type Thunk } from '../task/scoped.js';
import { CallbackWaiter, type Waiter } from '../task/waiter.js';
import { coop } from '../task/yield_now.js';

/** A cancellation flag with children. */
export class CancellationToken {
  #cancelled = false;
  #waiters = new Set<Waiter<void>>();
  #children = new Set<CancellationToken>();
  #listeners = new Set<() => void>();
  #controller: AbortController | undefined;
  readonly #parent: CancellationToken | undefined;

  constructor(parent?: CancellationToken) {
    this.#parent = parent;
  }

  /** Cancel this token and all its children. Idempotent. */
  cancel(): void {
    if (this.#cancelled) return;
    this.#cancelled = true;
    for (const w of this.#waiters) w.wake(undefined);
    this.#waiters.clear();
    for (const l of this.#listeners) l();
    this.#listeners.clear();
    this.#controller?.abort();
    for (const c of this.#children) c.cancel();
    this.#children.clear();
    if (this.#parent !== undefined) this.#parent.#children.delete(this);
  }

  isCancelled(): boolean {
    return this.#cancelled;
  }

  /** Resolves once the token is cancelled. Cancel safety: cancel-safe. */
  cancelled(): Promise<void> {
    // Ready at once is still a runtime await: charge the budget (a loop on a cancelled
    // token must not starve the event loop) and fail with Cancelled in a cancelled task.
    if (this.#cancelled) return coop() ?? Promise.resolve();
    const w = new CallbackWaiter<void>((x) => {
      this.#waiters.delete(x);
    });
    if (w.pending) this.#waiters.add(w);
    return w.promise;
  }

  /** A token cancelled with this one (and on its own), without cancelling this one. */
  child(): CancellationToken {
    const c = new CancellationToken(this);
    if (this.#cancelled) c.cancel();
    else this.#children.add(c);
    return c;
  }

  /** Aborts when the token is cancelled. */
  get signal(): AbortSignal {
    if (this.#controller === undefined) {
      this.#controller = new AbortController();
      if (this.#cancelled) this.#controller.abort();
    }
    return this.#controller.signal;
  }

  /**
   * Run `f` until the token is cancelled: its value, or undefined if cancelled first. A thunk
   * runs in its own cancel scope and is cancelled with the token (Tokio drops the future);
   * the undefined comes once a thunk parked on a runtime await has unwound.
   */
  runUntilCancelled<T>(f: PromiseLike<T> | Thunk<T>): Promise<T | undefined> {
    if (typeof f !== 'function' && (f === null || typeof f !== 'object' || typeof f.then !== 'function')) {
      throw typeError('runUntilCancelled() takes a promise or a function returning one');
    }
    if (this.#cancelled) {
      // Ready: charged like every ready await (see `coop`); the thunk is never started.
      const c = coop();
      return c === undefined ? Promise.resolve(undefined) : c.then(() => undefined);
    }
    const branch = startBranch(f);
    return new Promise<T | undefined>((resolve, reject) => {
      let done = false;
      const onCancel = (): void => {
        if (done) return;
        done = true;
        afterUnwound(cancelBranches([branch]), () => resolve(undefined));
      };
      this.#listeners.add(onCancel);
      branch.promise.then(
        (v) => {
          if (done) return;
          done = true;
          this.#listeners.delete(onCancel);
          branch.scope?.detach();
          resolve(v);
        },
        (err: unknown) => {
          if (done) return;
          done = true;
          this.#listeners.delete(onCancel);
          branch.scope?.detach();
          reject(err);
        },
      );
    });
  }

  /** A disposable that cancels the token when disposed (tokio-util's `DropGuard`). */
  dropGuard(): Disposable & { disarm(): CancellationToken } {
    let armed = true;
    return {
      [Symbol.dispose]: () => {
        if (armed) this.cancel();
      },
      disarm: () => {
        armed = false;
        return this;
      },
    };
  }
}
