/**
 * `Semaphore`: Tokio's counting semaphore, a thin face on the {@link BatchSemaphore}.
 *
 * Fairness is Tokio's: strict FIFO counted in permits, so a pending `acquire(5)` holds back
 * a later `acquire(3)` even when 3 are free (the big request took them toward its 5).
 * That trades a little throughput for freedom from starvation, which is the property
 * people reach for a semaphore to get.
 *
 * A {@link Permit} is Rust's `SemaphorePermit`: `release()` is its drop, and `using`
 * releases it at the end of the block.
 */
import { AcquireError, AlreadyReleasedError, TryAcquireError } from '../errors/sync_errors.js';
import { assertNumber, rangeError } from '../errors/invalid_argument.js';
import { coop } from '../task/yield_now.js';
import { AcquireWaiter, BatchSemaphore, MAX_PERMITS } from './batch_semaphore.js';

/** A queued `Semaphore.acquire`: a semaphore can be closed, even after granting it. */
class PermitWaiter extends AcquireWaiter<Permit> {
  readonly #sem: BatchSemaphore;

  constructor(sem: BatchSemaphore, n: number) {
    super(sem, construct(sem, n));
    this.#sem = sem;
  }

  override run(): void {
    this.failIfClosedSinceGrant(this.#sem);
    super.run();
  }
}

/** Set by Permit's static block, the one place that may call its private constructor. */
let construct: (sem: BatchSemaphore, n: number) => Permit;

/** Permits held from a {@link Semaphore}. Release exactly once (or `forget`). */
export class Permit implements Disposable {
  #sem: BatchSemaphore | null;
  #n: number;

  /** Obtain permits through `Semaphore.acquire` / `tryAcquire`. */
  private constructor(sem: BatchSemaphore, n: number) {
    this.#sem = sem;
    this.#n = n;
  }

  static {
    construct = (sem, n) => new Permit(sem, n);
  }

  /** How many permits this holds. */
  numPermits(): number {
    return this.#n;
  }

  /**
   * Give the permits back (Rust's drop): they go to the oldest waiter first.
   * Errors: AlreadyReleasedError if released or forgotten before.
   */
  release(): void {
    const sem = this.#sem;
    if (sem === null) throw new AlreadyReleasedError('semaphore permit');
    this.#sem = null;
    sem.release(this.#n);
  }

  /**
   * Drop the permits without returning them: the semaphore permanently has fewer
   * (Tokio's `forget`). Errors: AlreadyReleasedError if already released.
   */
  forget(): void {
    if (this.#sem === null) throw new AlreadyReleasedError('semaphore permit');
    this.#sem = null;
  }

  /**
   * Split `n` permits off into a new Permit (Tokio's `split`); undefined if this holds
   * fewer than `n`. Errors: AlreadyReleasedError if already released.
   */
  split(n: number): Permit | undefined {
    const sem = this.#sem;
    if (sem === null) throw new AlreadyReleasedError('semaphore permit');
    assertNumber(n, 'n', 0, true);
    if (n > this.#n) return undefined;
    this.#n -= n;
    return new Permit(sem, n);
  }

  /**
   * Move `other`'s permits into this one (Tokio's `merge`). Errors: RangeError when they
   * come from different semaphores; AlreadyReleasedError if either was released.
   */
  merge(other: Permit): void {
    if (this.#sem === null || other.#sem === null) throw new AlreadyReleasedError('semaphore permit');
    if (this.#sem !== other.#sem)
      throw rangeError('cannot merge permits of different semaphores', 'ERR_INVALID_ARG_VALUE');
    this.#n += other.#n;
    other.#sem = null;
    other.#n = 0;
  }

  /** Release unless already released or forgotten (so `using` after `release()` is fine). */
  [Symbol.dispose](): void {
    if (this.#sem !== null) this.release();
  }
}

/** Tokio's `Semaphore`: FIFO, batch acquires, closable. */
export class Semaphore {
  /** The most permits a semaphore can hold (2^29 - 1, Tokio's bound on 32-bit targets). */
  static readonly MAX_PERMITS: number = MAX_PERMITS;

  readonly #sem: BatchSemaphore;

  /** Errors: RangeError (code ERR_OUT_OF_RANGE) unless 0 <= permits <= MAX_PERMITS, an integer. */
  constructor(permits: number) {
    assertPermits(permits, 'permits');
    this.#sem = new BatchSemaphore(permits, 'Semaphore');
  }

  /** Free permits right now. */
  availablePermits(): number {
    return this.#sem.available();
  }

  isClosed(): boolean {
    return this.#sem.isClosed();
  }

  /**
   * Wait for `n` permits, in FIFO order.
   * Cancel safety: cancel-safe; a cancelled acquire leaves the queue and gives back the
   * permits already assigned to it, and loses its place in line.
   * Errors: AcquireError when the semaphore is (or becomes) closed; RangeError for a bad
   * `n`; `Cancelled` when the task is aborted.
   */
  acquire(n = 1): Promise<Permit> {
    if (n !== 1) assertPermits(n, 'n');
    const sem = this.#sem;
    const closed = sem.isClosed();
    if (closed || sem.available() >= n) {
      // Ready either way, and charged either way, as Tokio's `Acquire::poll` charges the
      // budget before it looks: a loop on a closed semaphore yields too.
      const c = coop();
      if (c !== undefined) return c.then(() => this.acquire(n));
      if (closed) return Promise.reject(new AcquireError());
      sem.tryTake(n);
      return Promise.resolve(construct(sem, n));
    }
    return sem.wait(new PermitWaiter(sem, n), n);
  }

  /**
   * Take `n` permits now, without waiting.
   * Errors: TryAcquireError `closed` or `noPermits` (also when others are queued: FIFO).
   */
  tryAcquire(n = 1): Permit {
    assertPermits(n, 'n');
    const sem = this.#sem;
    if (sem.isClosed()) throw new TryAcquireError('closed');
    if (!sem.tryTake(n)) throw new TryAcquireError('noPermits');
    return construct(sem, n);
  }

  /**
   * Add `n` permits; queued acquires are served first.
   * Errors: RangeError past {@link Semaphore.MAX_PERMITS}.
   */
  addPermits(n: number): void {
    assertPermits(n, 'n');
    this.#sem.add(n);
  }

  /** Remove up to `n` free permits for good; returns how many were removed (Tokio's `forget_permits`). */
  forgetPermits(n: number): number {
    assertPermits(n, 'n');
    return this.#sem.forget(n);
  }

  /** Close: pending and future acquires fail with AcquireError. Held permits stay valid. */
  close(): void {
    this.#sem.close();
  }
}

function assertPermits(n: unknown, name: string): asserts n is number {
  assertNumber(n, name, 0, true);
  if (n > MAX_PERMITS)
    throw rangeError(
      `The value of "${name}" is out of range. It must be <= ${MAX_PERMITS} (Semaphore.MAX_PERMITS). Received ${n}`,
    );
}
