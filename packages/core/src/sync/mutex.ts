/**
 * `Mutex<T>`: Tokio's async mutex, a {@link BatchSemaphore} with one permit (as Tokio
 * builds it), wrapped around the value it protects.
 *
 * Why a semaphore and not a flag plus a queue: the semaphore already gives strict FIFO
 * hand-off (a released lock goes straight to the oldest waiter, so nobody barges in
 * between) and cancel safety (a waiter cancelled while queued just leaves; one cancelled
 * after it was handed the lock, before its task resumed, hands it on). Like Tokio's, this
 * mutex is for holding a lock *across awaits*; a value touched only synchronously needs no
 * lock at all in single-threaded JavaScript.
 *
 * The value lives in the mutex and is reached only through a live guard, so a released
 * guard can't be used to touch it (Rust enforces this with lifetimes; here
 * `AlreadyReleasedError` does).
 */
import { AlreadyReleasedError, TryLockError } from '../errors/sync_errors.js';
import { coop } from '../task/yield_now.js';
import { AcquireWaiter, BatchSemaphore } from './batch_semaphore.js';

// Guards reach the mutex's private state through these, set in Mutex's static block: no
// public field exposes the value, and access stays a monomorphic call.
let readValue: <T>(m: Mutex<T>) => T;
let writeValue: <T>(m: Mutex<T>, v: T) => void;
let semOf: (m: Mutex<unknown>) => BatchSemaphore;
/** Set by MutexGuard's static block, the one place that may call its private constructor. */
let construct: <T>(mutex: Mutex<T>) => MutexGuard<T>;

/**
 * Exclusive access to a {@link Mutex}'s value until `release()` (Rust's drop of a
 * `MutexGuard`). `using guard = await m.lock()` releases at the end of the block.
 */
export class MutexGuard<T> implements Disposable {
  #mutex: Mutex<T> | null;

  /** Obtain guards through `Mutex.lock` / `tryLock`. */
  private constructor(mutex: Mutex<T>) {
    this.#mutex = mutex;
  }

  static {
    construct = (mutex) => new MutexGuard(mutex);
  }

  /** The protected value. Errors: AlreadyReleasedError after `release()`. */
  get value(): T {
    const m = this.#mutex;
    if (m === null) throw new AlreadyReleasedError('mutex guard');
    return readValue(m);
  }

  /** Replace the protected value. Errors: AlreadyReleasedError after `release()`. */
  set value(v: T) {
    const m = this.#mutex;
    if (m === null) throw new AlreadyReleasedError('mutex guard');
    writeValue(m, v);
  }

  /**
   * Unlock: the oldest waiter gets the lock next.
   * Errors: AlreadyReleasedError when called twice.
   */
  release(): void {
    const m = this.#mutex;
    if (m === null) throw new AlreadyReleasedError('mutex guard');
    this.#mutex = null;
    semOf(m as Mutex<unknown>).release(1);
  }

  /** Release unless already released (idempotent, so `using` after `release()` is fine). */
  [Symbol.dispose](): void {
    if (this.#mutex !== null) this.release();
  }
}

/** Tokio's `Mutex<T>`: FIFO, cancel-safe, held across awaits through a {@link MutexGuard}. */
export class Mutex<T> {
  #value: T;
  readonly #sem = new BatchSemaphore(1, 'Mutex');

  static {
    readValue = <V>(m: Mutex<V>): V => m.#value;
    writeValue = <V>(m: Mutex<V>, v: V): void => {
      m.#value = v;
    };
    semOf = (m) => m.#sem;
  }

  constructor(value: T) {
    this.#value = value;
  }

  /**
   * Wait for the lock. Waiters are served first-come first-served.
   * Cancel safety: cancel-safe. A cancelled `lock()` leaves the queue; if the lock had
   * already been handed to it, it is handed on, so the mutex is never wedged.
   * Errors: `Cancelled` when the task (or the enclosing select/timeout branch) is cancelled.
   */
  lock(): Promise<MutexGuard<T>> {
    const sem = this.#sem;
    if (sem.available() !== 0) {
      const c = coop();
      if (c !== undefined) return c.then(() => this.lock());
      sem.tryTake(1);
      return Promise.resolve(construct(this));
    }
    return sem.wait(new AcquireWaiter<MutexGuard<T>>(sem, construct(this)), 1);
  }

  /**
   * Take the lock if it is free and nobody is queued for it.
   * Errors: TryLockError when it is held (or others are waiting).
   */
  tryLock(): MutexGuard<T> {
    if (!this.#sem.tryTake(1)) throw new TryLockError('mutex');
    return construct(this);
  }

  /** Whether the lock is held right now (a diagnostic: it may change at the next await). */
  isLocked(): boolean {
    return this.#sem.available() === 0;
  }
}
