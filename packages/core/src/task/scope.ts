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
 * Every task is a scope, so a scope must be small: the common state (one pending await)
 * lives inline, and what most scopes never use (the AbortSignal, child scopes, several
 * awaits at once) lives in a side object allocated on first use. The AbortController in
 * particular costs more than the rest of a task put together.
 */
import { CancelReason, cancelledError } from './cancelled_error.js';
import { Cancelled } from '../errors/skein_error.js';
import type { LocalTask } from './task.js';
import type { TaskRecord } from './task_record.js';
import type { Waiter } from './waiter.js';

/** The bit of {@link Scope.flags} that says the scope is cancelled. */
export const SCOPE_CANCELLED = 32;

/** The rarely used part of a scope, and of a task (which is a scope). */
export class ScopeExtra {
  controller: AbortController | undefined = undefined;
  children: Set<Scope> | undefined = undefined;
  /** Pending awaits beyond the inline one. */
  waiters: Set<Waiter<unknown>> | undefined = undefined;
  /** A task's outcome listeners (JoinSet, a second joiner, worker bookkeeping). */
  listeners: ((ok: boolean, value: unknown) => void)[] | undefined = undefined;
  /** A task definition's arguments, until its body starts. */
  args: unknown[] | undefined = undefined;
  /** A child scope's parent (tasks, the most numerous scopes, have none). */
  parent: Scope | undefined = undefined;
  /** A task's name, when given or once computed. */
  name: string | undefined = undefined;
  /** A task's figures, when task tracking is on: the side object itself (see TaskRecord). */
  record: TaskRecord | undefined = undefined;
}

/** A node in the cancellation tree. */
export class Scope {
  /**
   * Bit flags. Scope owns {@link SCOPE_CANCELLED}; a task keeps its own state in the other
   * bits, so a task pays for one integer field rather than two.
   */
  protected flags = 0;
  /** The pending runtime await registered here, when there is exactly one (the usual case). */
  #waiter: Waiter<unknown> | undefined = undefined;
  #extra: ScopeExtra | undefined = undefined;

  constructor(parent?: Scope) {
    if (parent !== undefined) {
      this.extra.parent = parent;
      if (parent.cancelled) this.flags |= SCOPE_CANCELLED;
      else (parent.extra.children ??= new Set()).add(this);
    }
  }

  /** True once cancelled; runtime awaits in this scope then reject with `Cancelled`. */
  get cancelled(): boolean {
    return (this.flags & SCOPE_CANCELLED) !== 0;
  }

  /** The enclosing scope; undefined for a task (a root). */
  get parent(): Scope | undefined {
    return this.#extra?.parent;
  }

  /**
   * The task at the root of this scope's tree (a task is its own root scope); undefined
   * for a scope made outside every task. Waiters find their task here rather than keeping
   * a field for it.
   */
  rootTask(): LocalTask<unknown> | undefined {
    return this.#extra?.parent?.rootTask();
  }

  /** Aborts when this scope is cancelled; give it to foreign APIs (fetch, fs, timers). */
  get signal(): AbortSignal {
    const x = this.extra;
    if (x.controller === undefined) {
      x.controller = new AbortController();
      if (this.cancelled) x.controller.abort(new Cancelled());
    }
    return x.controller.signal;
  }

  /**
   * Cancel this scope and every child: pending awaits reject, the signal aborts. Idempotent.
   *
   * Every await this one cancellation rejects gets the same `Cancelled` error: making an
   * error costs about a microsecond even without its stack, and one cancellation is one
   * cause. `reason` lets a bulk cancel (shutdown) share one error across many scopes.
   */
  cancel(reason?: CancelReason): void {
    if (this.cancelled) return;
    this.flags |= SCOPE_CANCELLED;
    let r = reason;
    const w = this.#waiter;
    if (w !== undefined) {
      this.#waiter = undefined;
      w.cancel((r ??= new CancelReason()));
    }
    const x = this.#extra;
    if (x !== undefined) {
      const ws = x.waiters;
      const children = x.children;
      x.waiters = undefined;
      x.children = undefined;
      if (ws !== undefined) for (const y of ws) y.cancel((r ??= new CancelReason()));
      if (children !== undefined) for (const c of children) c.cancel((r ??= new CancelReason()));
      x.controller?.abort(r === undefined ? cancelledError() : r.error);
    }
    this.onCancel();
  }

  /** Hook for subclasses (a task settles its JoinHandle here). */
  protected onCancel(): void {}

  /** Unhook a finished child scope from its parent so the parent doesn't keep it alive. */
  detach(): void {
    const parent = this.#extra?.parent;
    if (parent !== undefined) parent.#extra?.children?.delete(this);
  }

  /** Whether any runtime await is registered in this scope or a child. */
  hasPendingWaiters(): boolean {
    if (this.#waiter !== undefined) return true;
    const x = this.#extra;
    if (x === undefined) return false;
    if (x.waiters !== undefined && x.waiters.size > 0) return true;
    if (x.children !== undefined) for (const c of x.children) if (c.hasPendingWaiters()) return true;
    return false;
  }

  /** @internal Register a pending waiter (the scope is known not to be cancelled). */
  add(w: Waiter<unknown>): void {
    if (this.#waiter === undefined) this.#waiter = w;
    else (this.extra.waiters ??= new Set()).add(w);
  }

  /** @internal Forget a waiter that was woken or cancelled. */
  remove(w: Waiter<unknown>): void {
    if (this.#waiter === w) this.#waiter = undefined;
    else this.#extra?.waiters?.delete(w);
  }

  /**
   * The side object, allocated on first use. (An accessor, not a `#method`: V8 gives every
   * instance of a class with `#methods` a hidden brand slot.)
   */
  protected get extra(): ScopeExtra {
    return (this.#extra ??= new ScopeExtra());
  }

  /** The side object if it exists. */
  protected get extraIfAny(): ScopeExtra | undefined {
    return this.#extra;
  }

  /**
   * Make `x` the side object, taking over what the current one holds: a tracked task's
   * record is its side object (see TaskRecord).
   */
  protected adoptExtra(x: ScopeExtra): void {
    const old = this.#extra;
    if (old !== undefined) {
      x.controller = old.controller;
      x.children = old.children;
      x.waiters = old.waiters;
      x.listeners = old.listeners;
      x.args = old.args;
      x.parent = old.parent;
      x.name = old.name;
    }
    this.#extra = x;
  }
}
