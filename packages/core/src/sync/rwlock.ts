/**
 * `RwLock<T>`: Tokio's reader-writer lock, a {@link BatchSemaphore} with `maxReaders`
 * permits (as Tokio builds it): a reader takes one permit, a writer takes all of them.
 *
 * Why that gives the policy Tokio documents (fair, write-preferring): the semaphore is
 * strict FIFO in permits, so a queued writer collects permits as readers leave and every
 * reader arriving after it queues behind it. Writers can't starve, and readers that queued
 * before a writer still go first.
 *
 * Guards have the MutexGuard shape (`value`, `release()`, `Symbol.dispose`). A read guard's
 * `value` has no setter: assigning it is a type error in TypeScript and a `TypeError` at run
 * time (strict-mode assignment to a getter-only property). Mutating the object behind it is
 * not prevented, just as JavaScript can't freeze an arbitrary value for you.
 */
import { AlreadyReleasedError, TryLockError } from '../errors/sync_errors.js';
import { assertNumber, rangeError } from '../errors/invalid_argument.js';
import { coop } from '../task/yield_now.js';
import { AcquireWaiter, BatchSemaphore, MAX_PERMITS } from './batch_semaphore.js';

let readValue: <T>(l: RwLock<T>) => T;
let writeValue: <T>(l: RwLock<T>, v: T) => void;
let semOf: (l: RwLock<unknown>) => BatchSemaphore;
let maxOf: (l: RwLock<unknown>) => number;

/** Options of {@link RwLock}. */
export interface RwLockOptions {
  /** Most concurrent readers (default and maximum: 2^29 - 1, Tokio's `MAX_READS`). */
  readonly maxReaders?: number;
}

/** Set by RwLockReadGuard's static block, the one place that may call its private constructor. */
let constructReadGuard: <T>(lock: RwLock<T>) => RwLockReadGuard<T>;

/** Shared read access to an {@link RwLock}'s value until `release()`. */
export class RwLockReadGuard<T> implements Disposable {
  #lock: RwLock<T> | null;

  /** Obtain guards through `RwLock.read` / `tryRead`. */
  private constructor(lock: RwLock<T>) {
    this.#lock = lock;
  }

  static {
    constructReadGuard = (lock) => new RwLockReadGuard(lock);
  }

  /** The protected value (read-only). Errors: AlreadyReleasedError after `release()`. */
  get value(): T {
    const l = this.#lock;
    if (l === null) throw new AlreadyReleasedError('read guard');
    return readValue(l);
  }

  /** Give the read permit back. Errors: AlreadyReleasedError when called twice. */
  release(): void {
    const l = this.#lock;
    if (l === null) throw new AlreadyReleasedError('read guard');
    this.#lock = null;
    semOf(l as RwLock<unknown>).release(1);
  }

  /** Release unless already released. */
  [Symbol.dispose](): void {
    if (this.#lock !== null) this.release();
  }
}

/** Set by RwLockWriteGuard's static block, the one place that may call its private constructor. */
let constructWriteGuard: <T>(lock: RwLock<T>) => RwLockWriteGuard<T>;

/** Exclusive access to an {@link RwLock}'s value until `release()`. */
export class RwLockWriteGuard<T> implements Disposable {
  #lock: RwLock<T> | null;

  /** Obtain guards through `RwLock.write` / `tryWrite`. */
  private constructor(lock: RwLock<T>) {
    this.#lock = lock;
  }

  static {
    constructWriteGuard = (lock) => new RwLockWriteGuard(lock);
  }

  /** The protected value. Errors: AlreadyReleasedError after `release()`. */
  get value(): T {
    const l = this.#lock;
    if (l === null) throw new AlreadyReleasedError('write guard');
    return readValue(l);
  }

  set value(v: T) {
    const l = this.#lock;
    if (l === null) throw new AlreadyReleasedError('write guard');
    writeValue(l, v);
  }

  /** Give up exclusive access. Errors: AlreadyReleasedError when called twice. */
  release(): void {
    const l = this.#lock;
    if (l === null) throw new AlreadyReleasedError('write guard');
    this.#lock = null;
    semOf(l as RwLock<unknown>).release(maxOf(l as RwLock<unknown>));
  }

  /**
   * Turn this into a read guard without letting a writer in between (Tokio's
   * `downgrade`): readers queued behind may now proceed. This guard is released.
   * Errors: AlreadyReleasedError after `release()`.
   */
  downgrade(): RwLockReadGuard<T> {
    const l = this.#lock;
    if (l === null) throw new AlreadyReleasedError('write guard');
    this.#lock = null;
    semOf(l as RwLock<unknown>).release(maxOf(l as RwLock<unknown>) - 1);
    return constructReadGuard(l);
  }

  /** Release unless already released. */
  [Symbol.dispose](): void {
    if (this.#lock !== null) this.release();
  }
}

/** Tokio's `RwLock<T>`: fair (FIFO), write-preferring, cancel-safe. */
export class RwLock<T> {
  #value: T;
  readonly #max: number;
  readonly #sem: BatchSemaphore;

  static {
    readValue = <V>(l: RwLock<V>): V => l.#value;
    writeValue = <V>(l: RwLock<V>, v: V): void => {
      l.#value = v;
    };
    semOf = (l) => l.#sem;
    maxOf = (l) => l.#max;
  }

  /** Errors: RangeError (with `code`) unless 1 <= maxReaders <= 2^29 - 1, an integer. */
  constructor(value: T, opts?: RwLockOptions) {
    const max = opts?.maxReaders ?? MAX_PERMITS;
    assertNumber(max, 'maxReaders', 1, true);
    if (max > MAX_PERMITS)
      throw rangeError(`The value of "maxReaders" is out of range. It must be <= ${MAX_PERMITS}. Received ${max}`);
    this.#value = value;
    this.#max = max;
    this.#sem = new BatchSemaphore(max, 'RwLock');
  }

  /** The most concurrent readers. */
  get maxReaders(): number {
    return this.#max;
  }

  /**
   * Wait for shared access; queues behind any writer that asked first.
   * Cancel safety: cancel-safe (a cancelled wait leaves the queue, handing on what it had).
   * Errors: `Cancelled` when the task is cancelled.
   */
  read(): Promise<RwLockReadGuard<T>> {
    const sem = this.#sem;
    if (sem.available() !== 0) {
      const c = coop();
      if (c !== undefined) return c.then(() => this.read());
      sem.tryTake(1);
      return Promise.resolve(constructReadGuard(this));
    }
    return sem.wait(new AcquireWaiter<RwLockReadGuard<T>>(sem, constructReadGuard(this)), 1);
  }

  /**
   * Wait for exclusive access.
   * Cancel safety: cancel-safe; read permits collected while queued are given back.
   * Errors: `Cancelled` when the task is cancelled.
   */
  write(): Promise<RwLockWriteGuard<T>> {
    const sem = this.#sem;
    const max = this.#max;
    if (sem.available() === max) {
      const c = coop();
      if (c !== undefined) return c.then(() => this.write());
      sem.tryTake(max);
      return Promise.resolve(constructWriteGuard(this));
    }
    return sem.wait(new AcquireWaiter<RwLockWriteGuard<T>>(sem, constructWriteGuard(this)), max);
  }

  /** Shared access now. Errors: TryLockError when a writer holds it or is queued. */
  tryRead(): RwLockReadGuard<T> {
    if (!this.#sem.tryTake(1)) throw new TryLockError('rwlock (read)');
    return constructReadGuard(this);
  }

  /** Exclusive access now. Errors: TryLockError when anyone holds it. */
  tryWrite(): RwLockWriteGuard<T> {
    if (!this.#sem.tryTake(this.#max)) throw new TryLockError('rwlock (write)');
    return constructWriteGuard(this);
  }
}
