/**
 * `SharedMutex<T>`: core's `Mutex` for tasks on any thread of a runtime, a one-permit
 * {@link PermitCore} (as Tokio builds its mutex) plus a value cell in the same buffer.
 *
 * The value crosses by structured clone: `guard.value` is this thread's copy of what the
 * previous holder stored; assigning it stores a clone the next holder sees. Changing the
 * copy in place stores nothing: assign it back. Without a value it is a plain lock, e.g.
 * around a SharedArrayBuffer the tasks were given.
 */
import { AlreadyReleasedError, TryLockError, coop } from '@skein/core';
import { HandleKind, SHARED_HANDLE, registerHandleKind, type HandleDescriptor } from './handle_codec.js';
import { DEFAULT_MAX_QUEUED, type PermitCore } from './permit_core.js';
import { allocatePrimitive, attachPrimitive, type PrimitiveBuffer } from './primitive_buffer.js';
import { acquireAsync, acquireBlocking } from './shared_wait.js';
import { DEFAULT_MAX_BYTES, ValueCell } from './value_cell.js';

/** Options of {@link SharedMutex}. */
export interface SharedMutexOptions {
  /** Most bytes the encoded value may take (default 64 KiB); a larger one throws RangeError. */
  maxBytes?: number;
  /** Waiters queued in shared memory at once (default 256); see SharedSemaphoreOptions. */
  maxQueued?: number;
}

const WHAT = 'the value of a SharedMutex';

/** Set by SharedMutexGuard's static block, the one place that may call its private constructor. */
let constructGuard: <T>(core: PermitCore, cell: ValueCell) => SharedMutexGuard<T>;

/** Exclusive access to a {@link SharedMutex} until `release()`; `using` releases it. */
export class SharedMutexGuard<T> implements Disposable {
  #core: PermitCore | null;
  readonly #cell: ValueCell;
  #copy: T | undefined = undefined;
  #read = false;

  /** Obtain guards through `SharedMutex.lock` and its siblings. */
  private constructor(core: PermitCore, cell: ValueCell) {
    this.#core = core;
    this.#cell = cell;
  }

  static {
    constructGuard = (core, cell) => new SharedMutexGuard(core, cell);
  }

  /** This thread's copy of the value. Errors: AlreadyReleasedError after `release()`. */
  get value(): T {
    if (this.#core === null) throw new AlreadyReleasedError('mutex guard');
    if (!this.#read) {
      this.#copy = this.#cell.read() as T;
      this.#read = true;
    }
    return this.#copy as T;
  }

  /**
   * Store `v` for the next holder (a structured clone, taken now).
   * Errors: SerializationError (not cloneable), RangeError (over maxBytes): nothing is stored
   * then; AlreadyReleasedError after `release()`.
   */
  set value(v: T) {
    if (this.#core === null) throw new AlreadyReleasedError('mutex guard');
    this.#cell.write(v, WHAT);
    this.#copy = v;
    this.#read = true;
  }

  /** Unlock: the oldest waiter, on whatever thread, gets the lock next. Errors: AlreadyReleasedError twice. */
  release(): void {
    const core = this.#core;
    if (core === null) throw new AlreadyReleasedError('mutex guard');
    this.#core = null;
    core.release(1);
  }

  /** Release unless already released. */
  [Symbol.dispose](): void {
    if (this.#core !== null) this.release();
  }
}

let attach: (sab: SharedArrayBuffer) => SharedMutex<unknown>;

/** Tokio's `Mutex<T>` shared by every thread of a runtime: FIFO, cancel-safe, held across awaits. */
export class SharedMutex<T = undefined> {
  readonly #buf: PrimitiveBuffer;
  readonly #core: PermitCore;
  readonly #cell: ValueCell;

  static {
    attach = (sab) => new SharedMutex(undefined, {}, attachPrimitive(sab, HandleKind.mutex));
    registerHandleKind(HandleKind.mutex, attach);
  }

  /**
   * Errors: SerializationError when `value` can't be cloned; RangeError when it is over
   * `maxBytes` or an option is out of range.
   */
  constructor(value?: T, opts?: SharedMutexOptions);
  /** @internal */
  constructor(value: T | undefined, opts: SharedMutexOptions, attached: PrimitiveBuffer);
  constructor(value?: T, opts: SharedMutexOptions = {}, attached?: PrimitiveBuffer) {
    if (attached === undefined) {
      const maxBytes = opts.maxBytes ?? DEFAULT_MAX_BYTES;
      const buf = allocatePrimitive(
        HandleKind.mutex,
        1,
        opts.maxQueued ?? DEFAULT_MAX_QUEUED,
        [maxBytes],
        ValueCell.bytesFor(maxBytes),
      );
      this.#cell = new ValueCell(buf.sab, buf.regionOffset, maxBytes);
      this.#cell.write(value, WHAT);
      this.#buf = buf;
    } else {
      this.#buf = attached;
      this.#cell = new ValueCell(attached.sab, attached.regionOffset, attached.params[0]!);
    }
    this.#core = this.#buf.core;
  }

  /**
   * Wait for the lock; waiters on every thread are served first-come first-served.
   * Cancel safety: cancel-safe; a cancelled `lock()` leaves the queue, or hands the lock on
   * if it had been handed to it. Errors: `Cancelled` when the task is cancelled.
   */
  lock(): Promise<SharedMutexGuard<T>> {
    const core = this.#core;
    if (core.available() !== 0) {
      const c = coop();
      if (c !== undefined) return c.then(() => this.lock());
    }
    return acquireAsync(core, 1, () => constructGuard<T>(core, this.#cell), closedNever);
  }

  /** `lock` for blocking-pool code: blocks the thread until the lock is free. */
  blockingLock(): SharedMutexGuard<T> {
    acquireBlocking(this.#core, 1);
    return constructGuard<T>(this.#core, this.#cell);
  }

  /** Take the lock if it is free and nobody waits. Errors: TryLockError. */
  tryLock(): SharedMutexGuard<T> {
    if (!this.#core.tryTake(1)) throw new TryLockError('mutex');
    return constructGuard<T>(this.#core, this.#cell);
  }

  /** Whether the lock is held right now (a diagnostic snapshot). */
  isLocked(): boolean {
    return this.#core.available() === 0;
  }

  /** @internal Crosses threads as its buffer. */
  [SHARED_HANDLE](): HandleDescriptor {
    return { kind: HandleKind.mutex, sab: this.#buf.sab };
  }
}

/** A mutex's core is never closed. */
function closedNever(): unknown {
  return new Error('skein: a SharedMutex was closed (corrupt shared memory?)');
}
