/**
 * `OnceCell<T>`: a value set at most once, with async lazy initialization (Tokio's
 * `OnceCell`).
 *
 * Built as Tokio builds it: a one-permit {@link BatchSemaphore} elects the initializer.
 * Concurrent `getOrInit` callers queue on it FIFO; the first runs `f`. On success the value
 * is stored and the semaphore *closed*, which fails every queued acquire, and those callers
 * read the value instead. If `f` throws (or its task is cancelled), its permit goes back and
 * the next caller in line runs its own `f`: one failed initialization doesn't poison the
 * cell.
 */
import { AcquireError, SetError } from '../errors/sync_errors.js';
import { assertFunction } from '../errors/invalid_argument.js';
import { coop } from '../task/yield_now.js';
import { AcquireWaiter, BatchSemaphore } from './batch_semaphore.js';

/** Tokio's `OnceCell<T>`. */
export class OnceCell<T> {
  #set = false;
  #value: T | undefined = undefined;
  readonly #sem = new BatchSemaphore(1);

  /** An empty cell, or (given an argument) one already holding `value`. */
  constructor(...init: [] | [value: T]) {
    if (init.length > 0) this.#complete(init[0] as T);
  }

  /** The value, or undefined while uninitialized. */
  get(): T | undefined {
    return this.#value;
  }

  /** Whether a value has been stored. */
  initialized(): boolean {
    return this.#set;
  }

  /**
   * Store `value`.
   * Errors: SetError `alreadyInitialized` when set before, `initializing` while a
   * `getOrInit` initializer is running.
   */
  set(value: T): void {
    if (this.#set) throw new SetError('alreadyInitialized', value);
    if (!this.#sem.tryTake(1)) throw new SetError('initializing', value);
    this.#complete(value);
  }

  /**
   * The value, initializing it with `f` if needed. `f` runs at most once at a time; callers
   * arriving meanwhile wait for its result. If `f` throws, that caller gets the error and
   * the next waiting caller runs its own `f` (Tokio's retry semantics).
   * Cancel safety: cancel-safe; a cancelled initializer lets the next caller in.
   * Errors: whatever `f` throws; `Cancelled` when the task is cancelled.
   */
  getOrInit(f: () => T | PromiseLike<T>): Promise<T> {
    if (this.#set) {
      const c = coop();
      if (c !== undefined) return c.then(() => this.getOrInit(f));
      return Promise.resolve(this.#value as T);
    }
    assertFunction(f, 'f');
    return this.#init(f);
  }

  async #init(f: () => T | PromiseLike<T>): Promise<T> {
    const sem = this.#sem;
    // Taking the free init slot is a ready acquire: it charges the budget (see `coop`).
    const c = coop();
    if (c !== undefined) await c;
    if (this.#set) return this.#value as T;
    if (!sem.tryTake(1)) {
      try {
        await sem.wait(new AcquireWaiter<undefined>(sem, undefined), 1);
      } catch (err) {
        // Closed means initialized: the semaphore closes only on success.
        if (err instanceof AcquireError && this.#set) return this.#value as T;
        throw err;
      }
    }
    let done = false;
    try {
      const v = await f();
      this.#complete(v);
      done = true;
      return v;
    } finally {
      if (!done) sem.release(1);
    }
  }

  #complete(v: T): void {
    this.#value = v;
    this.#set = true;
    this.#sem.close();
  }
}
