/**
 * Cancel scopes: the unit that `abort()`, `select`, `tryJoin` and `timeout` cancel.
 *
 * Rust cancels a future by dropping it. JavaScript can't drop a running async function, so
 * skein does the next best thing: every *runtime* await (sleep, join, lock, recv, …)
 * registers its {@link Waiter} with the innermost scope, and cancelling the scope rejects
 * each pending waiter with `Cancelled` (and every later await fails fast). A task is the
 * root scope; `select` branches and `timeout` thunks run in child scopes, so a losing
 * branch is cancelled without touching its siblings.
 *
 * The AbortSignal is created lazily: most tasks never ask for it, and an AbortController
 * costs more than the rest of a task put together.
 */
import { Cancelled } from '../errors/skein_error.js';
import type { Waiter } from './waiter.js';

/** A node in the cancellation tree. */
export class Scope {
  /** True once cancelled; runtime awaits in this scope then reject with `Cancelled`. */
  cancelled = false;
  readonly parent: Scope | undefined;
  #controller: AbortController | undefined = undefined;
  #children: Set<Scope> | undefined = undefined;
  /** Pending runtime awaits registered here: one inline slot, a set for the rare rest. */
  #waiter: Waiter<unknown> | undefined = undefined;
  #waiters: Set<Waiter<unknown>> | undefined = undefined;

  constructor(parent?: Scope) {
    this.parent = parent;
    if (parent !== undefined) {
      if (parent.cancelled) this.cancelled = true;
      else (parent.#children ??= new Set()).add(this);
    }
  }

  /** Aborts when this scope is cancelled; give it to foreign APIs (fetch, fs, timers). */
  get signal(): AbortSignal {
    if (this.#controller === undefined) {
      this.#controller = new AbortController();
      if (this.cancelled) this.#controller.abort(new Cancelled());
    }
    return this.#controller.signal;
  }

  /** Cancel this scope and every child: pending awaits reject, the signal aborts. Idempotent. */
  cancel(): void {
    if (this.cancelled) return;
    this.cancelled = true;
    const w = this.#waiter;
    const ws = this.#waiters;
    this.#waiter = undefined;
    this.#waiters = undefined;
    w?.cancel();
    if (ws !== undefined) for (const x of ws) x.cancel();
    if (this.#children !== undefined) {
      const children = this.#children;
      this.#children = undefined;
      for (const c of children) c.cancel();
    }
    this.#controller?.abort(new Cancelled());
    this.onCancel();
  }

  /** Hook for subclasses (a task settles its JoinHandle here). */
  protected onCancel(): void {}

  /** Unhook a finished child scope from its parent so the parent doesn't keep it alive. */
  detach(): void {
    if (this.parent !== undefined) this.parent.#children?.delete(this);
  }

  /** Whether any runtime await is registered in this scope or a child. */
  hasPendingWaiters(): boolean {
    if (this.#waiter !== undefined || (this.#waiters !== undefined && this.#waiters.size > 0)) return true;
    if (this.#children !== undefined) for (const c of this.#children) if (c.hasPendingWaiters()) return true;
    return false;
  }

  /** @internal Register a pending waiter (the scope is known not to be cancelled). */
  add(w: Waiter<unknown>): void {
    if (this.#waiter === undefined) this.#waiter = w;
    else (this.#waiters ??= new Set()).add(w);
  }

  /** @internal Forget a waiter that was woken or cancelled. */
  remove(w: Waiter<unknown>): void {
    if (this.#waiter === w) this.#waiter = undefined;
    else this.#waiters?.delete(w);
  }
}
