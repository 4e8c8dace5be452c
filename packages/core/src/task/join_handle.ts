/**
 * JoinHandle and AbortHandle: Tokio's handles, as a PromiseLike.
 *
 * Awaiting a handle is a runtime await (it wakes the awaiting task through the scheduler and
 * rejects with `Cancelled` if that task is aborted meanwhile). A handle that is never
 * awaited never produces an `unhandledRejection`: no rejected promise exists until someone
 * calls `then`, and an unobserved panic is logged by the runtime instead.
 */
import type { JoinError } from '../errors/join_error.js';
import type { Joinable } from './joinable.js';
import { LocalTask } from './task.js';

/** Aborts a task without giving access to its result (Tokio's `AbortHandle`). */
export class AbortHandle {
  readonly #target: Joinable<unknown>;
  constructor(target: Joinable<unknown>) {
    this.#target = target;
  }
  /** The task's id (the same as its JoinHandle's). */
  get id(): number { return this.#target.id; }
  /** Abort the task; see {@link JoinHandle.abort}. */
  abort(): void { this.#target.abort(); }
  /** True once the task has an outcome. */
  isFinished(): boolean { return this.#target.isFinished(); }
}

/**
 * An owned permission to await a task's outcome. `await handle` gives the task's value or
 * throws {@link JoinError}: `isPanic()` when the task threw (the error is `cause`),
 * `isCancelled()` when it was aborted.
 */
export class JoinHandle<T> implements PromiseLike<T> {
  /** @internal */
  readonly target: Joinable<T>;

  /** @internal Handles are made by spawn functions, not by users. */
  constructor(target: Joinable<T>) {
    this.target = target;
  }

  /** The task's id; `currentTask().id` inside the task is the same number. */
  get id(): number { return this.target.id; }

  /**
   * Abort the task. Its pending runtime await (and every later one) rejects with
   * `Cancelled` so its `finally` blocks run; its signal aborts; this handle rejects with a
   * cancelled JoinError at once, even if the task is stuck on a foreign promise. A task
   * that hasn't started never starts. No effect on a finished task.
   */
  abort(): void { this.target.abort(); }

  /** True once the task has an outcome: returned, threw, or was aborted. */
  isFinished(): boolean { return this.target.isFinished(); }

  /** A handle that can abort the task but not await it. */
  abortHandle(): AbortHandle { return new AbortHandle(this.target as Joinable<unknown>); }

  then<R1 = T, R2 = never>(
    onfulfilled?: ((value: T) => R1 | PromiseLike<R1>) | null,
    onrejected?: ((reason: JoinError) => R2 | PromiseLike<R2>) | null,
  ): Promise<R1 | R2> {
    const t = this.target;
    // `await handle` lands here; a task of this thread has a path with fewer promises.
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

  get [Symbol.toStringTag](): string { return 'JoinHandle'; }
}
