/**
 * JoinHandle and AbortHandle: Tokio's handles, as a PromiseLike.
 *
 * Awaiting a handle is a runtime await (it wakes the awaiting task through the scheduler and
 * rejects with `Cancelled` if that task is aborted meanwhile). A handle that is never
 * awaited never produces an `unhandledRejection`: no rejected promise exists until someone
 * calls `then`, and an unobserved panic is logged by the runtime instead.
 *
 * Why a handle is also a real Promise: `await` on any other thenable costs V8 a promise of
 * its own, a pair of resolving functions and a microtask to call `then`, and `then` then
 * needs a microtask of its own to call back asynchronously: three microtasks and half a
 * dozen objects per `await handle`, which made up most of spawn-and-await. `await` on a
 * promise whose `constructor` is `Promise` skips all of that and reads the result directly.
 * So a handle is a Promise, left pending, and its prototype's `constructor` is a getter: at
 * `await`, when the task has returned, the awaiting task is not cancelled and its
 * cooperative budget has a unit left (charged here), the handle is fulfilled with the value
 * and the getter answers `Promise`. That holds for every kind of task: one on this thread,
 * a blocking-pool job or a task on a worker whose outcome has reached this thread. In every
 * other case (still running, failed, cancelled, budget spent) it answers `JoinHandle` and
 * `await` calls `then` as before, which parks, rejects or yields. The promise is never rejected, so it can't be
 * an unhandled rejection; `Symbol.species` is `Promise`, so the native `then` (reached only
 * through `Promise.prototype.then.call`) makes plain promises.
 *
 * A property read with an effect: reading `handle.constructor` outside `await` (a debugger,
 * `util.inspect` of the raw object, a structural comparison) runs the same check. When the
 * task has returned, that read charges one unit of the *reading* task's cooperative budget,
 * marks the outcome observed, and fulfils the underlying promise early, so
 * `Promise.prototype.then.call(handle, …)` sees the value sooner. Nothing a user reads
 * through the handle changes: `isFinished()`, the awaited value, `then` (still
 * asynchronous) and a failure's JoinError are the same (tests/src/core/task/join_finished.test.ts).
 * A pending or failed task's handle answers `JoinHandle` and is left untouched. Kept because
 * it makes spawn-and-await about 1.5x faster on Node 24 (bench row "skein, await through
 * then()" in spawn_many).
 */
import { inspect } from 'node:util';
import type { JoinError } from '../errors/join_error.js';
import { NOT_READY, type Joinable } from './joinable.js';
import { keepResolve, takeResolve } from './resolver.js';
import { LocalTask } from './task.js';

/**
 * Promise, typed as a plain base: the contract's JoinHandle is a PromiseLike with its own
 * `then`, and its TypeScript type stays that.
 */
const HandleBase = Promise as unknown as new (
  executor: (resolve: (value: never) => void) => void,
) => Record<never, never>;

/** Set by AbortHandle's static block, the one place that may call its private constructor. */
let constructAbort: (target: Joinable<unknown>) => AbortHandle;

/**
 * An abort handle on a joinable task. JoinSet makes them through this, so the constructor
 * can stay private and out of the public declarations.
 */
export function abortHandleOf(target: Joinable<unknown>): AbortHandle {
  return constructAbort(target);
}

/** Aborts a task without giving access to its result (Tokio's `AbortHandle`). */
export class AbortHandle {
  readonly #target: Joinable<unknown>;

  /** Use `JoinHandle.abortHandle()`, or keep what `JoinSet.spawn` returns. */
  private constructor(target: Joinable<unknown>) {
    this.#target = target;
  }

  static {
    constructAbort = (target) => new AbortHandle(target);
  }

  /** The task's id (the same as its JoinHandle's). */
  get id(): number {
    return this.#target.id;
  }
  /** Abort the task; see {@link JoinHandle.abort}. */
  abort(): void {
    this.#target.abort();
  }
  /** True once the task has an outcome. */
  isFinished(): boolean {
    return this.#target.isFinished();
  }
}

/**
 * An owned permission to await a task's outcome. `await handle` gives the task's value or
 * throws {@link JoinError}: `isPanic()` when the task threw (the error is `cause`),
 * `isCancelled()` when it was aborted.
 *
 * It is a Promise object (`instanceof Promise`), so that `await` on a finished task takes
 * V8's native path; use its own `then`/`catch`/`finally`, which is what `await`,
 * `Promise.all` and every promise library call. `Promise.prototype.then.call(handle, …)`
 * sees only that fast path's state, which is never rejected, so it may never settle.
 */
/** Set by JoinHandle's static block, the one place that may call its private constructor. */
let construct: <T>(target: Joinable<T>) => JoinHandle<T>;

/**
 * A handle on a joinable task. Core and @skein/workers make handles through this (it is
 * exported from `@skein/core/internal`), so the constructor can stay private and out of
 * the public declarations.
 */
export function joinHandle<T>(target: Joinable<T>): JoinHandle<T> {
  return construct(target);
}

export class JoinHandle<T> extends HandleBase implements PromiseLike<T> {
  /** @internal */
  readonly target: Joinable<T>;
  /** Fulfils this promise; dropped once used. */
  #resolve: ((value: unknown) => void) | undefined;

  /** Handles are made by spawn functions, not by users. */
  private constructor(target: Joinable<T>) {
    super(keepResolve);
    this.#resolve = takeResolve<unknown>();
    this.target = target;
  }

  static {
    construct = (target) => new JoinHandle(target);
  }

  /** Native `then` on a handle (only reachable explicitly) makes plain promises. */
  static get [Symbol.species](): PromiseConstructor {
    return Promise;
  }

  static {
    // A class can't declare an accessor named `constructor`; see the module comment.
    Object.defineProperty(JoinHandle.prototype, 'constructor', {
      get(this: JoinHandle<unknown>) {
        return JoinHandle.#awaitConstructor(this);
      },
      configurable: true,
    });
  }

  /** What `await` reads as this handle's `constructor`: `Promise` takes V8's native path. */
  static #awaitConstructor(h: JoinHandle<unknown>): PromiseConstructor | typeof JoinHandle {
    const v = h.target.joinNow();
    if (v === NOT_READY) return JoinHandle;
    const resolve = h.#resolve;
    if (resolve !== undefined) {
      h.#resolve = undefined;
      resolve(v);
    }
    return Promise;
  }

  /** The task's id; `currentTask().id` inside the task is the same number. */
  get id(): number {
    return this.target.id;
  }

  /**
   * Abort the task. Its pending runtime await (and every later one) rejects with
   * `Cancelled` so its `finally` blocks run; its signal aborts; this handle rejects with a
   * cancelled JoinError at once, even if the task is stuck on a foreign promise. A task
   * that hasn't started never starts. No effect on a finished task.
   */
  abort(): void {
    this.target.abort();
  }

  /** True once the task has an outcome: returned, threw, or was aborted. */
  isFinished(): boolean {
    return this.target.isFinished();
  }

  /** A handle that can abort the task but not await it. */
  abortHandle(): AbortHandle {
    return constructAbort(this.target as Joinable<unknown>);
  }

  then<R1 = T, R2 = never>(
    onfulfilled?: ((value: T) => R1 | PromiseLike<R1>) | null,
    onrejected?: ((reason: JoinError) => R2 | PromiseLike<R2>) | null,
  ): Promise<R1 | R2> {
    const t = this.target;
    // Explicit calls, and an `await` the `constructor` getter sent here (see the module
    // comment); a task of this thread has a path with fewer promises.
    if (t instanceof LocalTask) return t.joinThen(onfulfilled, onrejected);
    return t.join().then(onfulfilled, onrejected);
  }

  /** Like `Promise.prototype.catch`. */
  catch<R = never>(onrejected?: ((reason: JoinError) => R | PromiseLike<R>) | null): Promise<T | R> {
    return this.then(undefined, onrejected);
  }

  /** Like `Promise.prototype.finally`. */
  finally(onfinally?: (() => void) | null): Promise<T> {
    return this.target.join().finally(onfinally);
  }

  get [Symbol.toStringTag](): string {
    return 'JoinHandle';
  }

  /** Shown as a handle (the promise's own state says nothing: it is fulfilled lazily). */
  [inspect.custom](): string {
    return `JoinHandle { id: ${this.id}, finished: ${this.isFinished()} }`;
  }
}
