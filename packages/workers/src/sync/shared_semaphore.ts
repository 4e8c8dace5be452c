/**
 * `SharedSemaphore`: core's `Semaphore` for tasks on any thread of a runtime, on a
 * {@link PermitCore} in shared memory. Same fairness (strict FIFO counted in permits), same
 * cancel safety, same errors; plus `blockingAcquire` for blocking-pool code.
 */
import { AcquireError, AlreadyReleasedError, TryAcquireError, assertNumber, coop, rangeError } from '@skein/core';
import { MAX_PERMITS } from '@skein/core/internal';
import { HandleKind, SHARED_HANDLE, registerHandleKind, type HandleDescriptor } from './handle_codec.js';
import { DEFAULT_MAX_QUEUED, type PermitCore } from './permit_core.js';
import { allocatePrimitive, attachPrimitive, type PrimitiveBuffer } from './primitive_buffer.js';
import { acquireAsync, acquireBlocking } from './shared_wait.js';

/** Options of {@link SharedSemaphore}. */
export interface SharedSemaphoreOptions {
  /**
   * Waiters that can be queued in shared memory at once (default 256). More may wait: they
   * queue as nodes are freed, so FIFO holds among the queued ones.
   */
  maxQueued?: number;
}

/** Set by SharedPermit's static block, the one place that may call its private constructor. */
let constructPermit: (core: PermitCore, n: number) => SharedPermit;

/** Permits held from a {@link SharedSemaphore}, on this thread. Release exactly once (or `forget`). */
export class SharedPermit implements Disposable {
  #core: PermitCore | null;
  #n: number;

  /** Obtain permits through `SharedSemaphore.acquire` and its siblings. */
  private constructor(core: PermitCore, n: number) {
    this.#core = core;
    this.#n = n;
  }

  static {
    constructPermit = (core, n) => new SharedPermit(core, n);
  }

  /** How many permits this holds. */
  numPermits(): number {
    return this.#n;
  }

  /**
   * Give the permits back: the oldest waiter, on whatever thread, gets them first.
   * Errors: AlreadyReleasedError if released or forgotten before.
   */
  release(): void {
    const core = this.#core;
    if (core === null) throw new AlreadyReleasedError('semaphore permit');
    this.#core = null;
    core.release(this.#n);
  }

  /** Drop the permits without returning them (Tokio's `forget`). Errors: AlreadyReleasedError. */
  forget(): void {
    const core = this.#core;
    if (core === null) throw new AlreadyReleasedError('semaphore permit');
    this.#core = null;
    core.disown(this.#n);
  }

  /** Release unless already released or forgotten. */
  [Symbol.dispose](): void {
    if (this.#core !== null) this.release();
  }
}

let attach: (sab: SharedArrayBuffer) => SharedSemaphore;

/**
 * Tokio's `Semaphore` shared by every thread of a runtime. Pass it to a task as an argument
 * (alone or inside plain data): the task's copy works on the same permits.
 */
export class SharedSemaphore {
  readonly #buf: PrimitiveBuffer;
  readonly #core: PermitCore;

  static {
    attach = (sab) => new SharedSemaphore(0, {}, attachPrimitive(sab, HandleKind.semaphore));
    registerHandleKind(HandleKind.semaphore, attach);
  }

  /** Errors: RangeError when `permits` is not an integer in [0, 2^29 - 1]. */
  constructor(permits: number, opts?: SharedSemaphoreOptions);
  /** @internal */
  constructor(permits: number, opts: SharedSemaphoreOptions, attached: PrimitiveBuffer);
  constructor(permits: number, opts: SharedSemaphoreOptions = {}, attached?: PrimitiveBuffer) {
    if (attached === undefined) {
      assertNumber(permits, 'permits', 0, true);
      if (permits > MAX_PERMITS)
        throw rangeError(`a semaphore can hold at most ${MAX_PERMITS} permits, got ${permits}`);
    }
    this.#buf =
      attached ?? allocatePrimitive(HandleKind.semaphore, permits, opts.maxQueued ?? DEFAULT_MAX_QUEUED, [], 0);
    this.#core = this.#buf.core;
  }

  /**
   * Wait for `n` permits (FIFO across threads: a big request holds back later small ones).
   * Cancel safety: cancel-safe; a cancelled acquire gives back what it had been assigned.
   * Errors: AcquireError once closed; `Cancelled` when the task is cancelled.
   */
  acquire(n = 1): Promise<SharedPermit> {
    assertNumber(n, 'n', 0, true);
    const core = this.#core;
    if (core.available() >= n) {
      const c = coop();
      if (c !== undefined) return c.then(() => this.acquire(n));
    }
    return acquireAsync(
      core,
      n,
      () => constructPermit(core, n),
      () => new AcquireError(),
    );
  }

  /**
   * `acquire` for blocking-pool code: blocks the thread until the permits are free.
   * Don't call it on a thread that runs tasks (it would stall them all).
   * Errors: AcquireError once closed.
   */
  blockingAcquire(n = 1): SharedPermit {
    assertNumber(n, 'n', 0, true);
    if (!acquireBlocking(this.#core, n)) throw new AcquireError();
    return constructPermit(this.#core, n);
  }

  /** Take `n` permits if free now. Errors: TryAcquireError (`closed` or `noPermits`). */
  tryAcquire(n = 1): SharedPermit {
    assertNumber(n, 'n', 0, true);
    if (this.#core.tryTake(n)) return constructPermit(this.#core, n);
    throw new TryAcquireError(this.#core.isClosed() ? 'closed' : 'noPermits');
  }

  /** Add `n` permits (to waiters first). Errors: RangeError past 2^29 - 1 in total. */
  addPermits(n: number): void {
    assertNumber(n, 'n', 0, true);
    this.#core.add(n);
  }

  /** Remove up to `n` free permits for good; returns how many were removed. */
  forgetPermits(n: number): number {
    assertNumber(n, 'n', 0, true);
    return this.#core.forget(n);
  }

  /** Fail every waiter, on every thread, and every later acquire. Held permits stay valid. */
  close(): void {
    this.#core.close();
  }

  isClosed(): boolean {
    return this.#core.isClosed();
  }

  /** Free permits right now (a snapshot; 0 while anyone waits). */
  availablePermits(): number {
    return this.#core.available();
  }

  /** @internal Crosses threads as its buffer. */
  [SHARED_HANDLE](): HandleDescriptor {
    return { kind: HandleKind.semaphore, sab: this.#buf.sab };
  }
}
