/**
 * `SharedRwLock<T>`: core's `RwLock` for tasks on any thread of a runtime, a
 * {@link PermitCore} with `maxReaders` permits (a reader takes one, a writer all of them,
 * as Tokio builds it) plus a value cell. Fair and write-preferring across threads, because
 * the core is strict FIFO in permits. Values cross as in SharedMutex: a guard's `value` is
 * this thread's copy; a write guard's assignment stores a clone for later holders.
 */
import { AlreadyReleasedError, TryLockError, assertNumber, coop, rangeError } from '@skein/core';
import { MAX_PERMITS } from '@skein/core/internal';
import { HandleKind, SHARED_HANDLE, registerHandleKind, type HandleDescriptor } from './handle_codec.js';
import { DEFAULT_MAX_QUEUED, type PermitCore } from './permit_core.js';
import { allocatePrimitive, attachPrimitive, type PrimitiveBuffer } from './primitive_buffer.js';
import { acquireAsync, acquireBlocking } from './shared_wait.js';
import { DEFAULT_MAX_BYTES, ValueCell } from './value_cell.js';

/** Options of {@link SharedRwLock}. */
export interface SharedRwLockOptions {
  /** Most bytes the encoded value may take (default 64 KiB). */
  maxBytes?: number;
  /** Most concurrent readers (default and maximum: 2^29 - 1). */
  maxReaders?: number;
  /** Waiters queued in shared memory at once (default 256). */
  maxQueued?: number;
}

const WHAT = 'the value of a SharedRwLock';

/** Set by SharedRwLockReadGuard's static block, the one place that may call its private constructor. */
let constructReadGuard: <T>(core: PermitCore, cell: ValueCell) => SharedRwLockReadGuard<T>;

/** Shared read access to a {@link SharedRwLock} until `release()`. */
export class SharedRwLockReadGuard<T> implements Disposable {
  #core: PermitCore | null;
  readonly #cell: ValueCell;
  #copy: T | undefined = undefined;
  #read = false;

  /** Obtain guards through `SharedRwLock.read` and its siblings. */
  private constructor(core: PermitCore, cell: ValueCell) {
    this.#core = core;
    this.#cell = cell;
  }

  static {
    constructReadGuard = (core, cell) => new SharedRwLockReadGuard(core, cell);
  }

  /** This thread's copy of the value (read-only). Errors: AlreadyReleasedError after `release()`. */
  get value(): T {
    if (this.#core === null) throw new AlreadyReleasedError('read guard');
    if (!this.#read) {
      this.#copy = this.#cell.read() as T;
      this.#read = true;
    }
    return this.#copy as T;
  }

  /** Give the read permit back. Errors: AlreadyReleasedError when called twice. */
  release(): void {
    const core = this.#core;
    if (core === null) throw new AlreadyReleasedError('read guard');
    this.#core = null;
    core.release(1);
  }

  /** Release unless already released. */
  [Symbol.dispose](): void {
    if (this.#core !== null) this.release();
  }
}

/** Set by SharedRwLockWriteGuard's static block, the one place that may call its private constructor. */
let constructWriteGuard: <T>(core: PermitCore, cell: ValueCell, max: number) => SharedRwLockWriteGuard<T>;

/** Exclusive access to a {@link SharedRwLock} until `release()`. */
export class SharedRwLockWriteGuard<T> implements Disposable {
  #core: PermitCore | null;
  readonly #cell: ValueCell;
  readonly #max: number;
  #copy: T | undefined = undefined;
  #read = false;

  /** Obtain guards through `SharedRwLock.write` and its siblings. */
  private constructor(core: PermitCore, cell: ValueCell, max: number) {
    this.#core = core;
    this.#cell = cell;
    this.#max = max;
  }

  static {
    constructWriteGuard = (core, cell, max) => new SharedRwLockWriteGuard(core, cell, max);
  }

  /** This thread's copy of the value. Errors: AlreadyReleasedError after `release()`. */
  get value(): T {
    if (this.#core === null) throw new AlreadyReleasedError('write guard');
    if (!this.#read) {
      this.#copy = this.#cell.read() as T;
      this.#read = true;
    }
    return this.#copy as T;
  }

  /** Store `v` for later holders. Errors: SerializationError, RangeError (nothing stored); AlreadyReleasedError. */
  set value(v: T) {
    if (this.#core === null) throw new AlreadyReleasedError('write guard');
    this.#cell.write(v, WHAT);
    this.#copy = v;
    this.#read = true;
  }

  /** Give up exclusive access. Errors: AlreadyReleasedError when called twice. */
  release(): void {
    const core = this.#core;
    if (core === null) throw new AlreadyReleasedError('write guard');
    this.#core = null;
    core.release(this.#max);
  }

  /**
   * Turn this into a read guard with no writer in between (Tokio's `downgrade`); readers
   * queued behind may proceed. Errors: AlreadyReleasedError after `release()`.
   */
  downgrade(): SharedRwLockReadGuard<T> {
    const core = this.#core;
    if (core === null) throw new AlreadyReleasedError('write guard');
    this.#core = null;
    core.release(this.#max - 1);
    return constructReadGuard<T>(core, this.#cell);
  }

  /** Release unless already released. */
  [Symbol.dispose](): void {
    if (this.#core !== null) this.release();
  }
}

let attach: (sab: SharedArrayBuffer) => SharedRwLock<unknown>;

/** Tokio's `RwLock<T>` shared by every thread of a runtime: fair (FIFO), write-preferring, cancel-safe. */
export class SharedRwLock<T = undefined> {
  readonly #buf: PrimitiveBuffer;
  readonly #core: PermitCore;
  readonly #cell: ValueCell;
  readonly #max: number;

  static {
    attach = (sab) => new SharedRwLock(undefined, {}, attachPrimitive(sab, HandleKind.rwlock));
    registerHandleKind(HandleKind.rwlock, attach);
  }

  /** Errors: SerializationError (value not cloneable); RangeError (value over maxBytes, bad option). */
  constructor(value?: T, opts?: SharedRwLockOptions);
  /** @internal */
  constructor(value: T | undefined, opts: SharedRwLockOptions, attached: PrimitiveBuffer);
  constructor(value?: T, opts: SharedRwLockOptions = {}, attached?: PrimitiveBuffer) {
    if (attached === undefined) {
      const max = opts.maxReaders ?? MAX_PERMITS;
      assertNumber(max, 'maxReaders', 1, true);
      if (max > MAX_PERMITS)
        throw rangeError(`The value of "maxReaders" is out of range. It must be <= ${MAX_PERMITS}. Received ${max}`);
      const maxBytes = opts.maxBytes ?? DEFAULT_MAX_BYTES;
      const buf = allocatePrimitive(
        HandleKind.rwlock,
        max,
        opts.maxQueued ?? DEFAULT_MAX_QUEUED,
        [maxBytes, max],
        ValueCell.bytesFor(maxBytes),
      );
      this.#cell = new ValueCell(buf.sab, buf.regionOffset, maxBytes);
      this.#cell.write(value, WHAT);
      this.#buf = buf;
    } else {
      this.#buf = attached;
      this.#cell = new ValueCell(attached.sab, attached.regionOffset, attached.params[0]!);
    }
    this.#max = this.#buf.params[1]!;
    this.#core = this.#buf.core;
  }

  /** The most concurrent readers. */
  get maxReaders(): number {
    return this.#max;
  }

  /**
   * Wait for shared access; queues behind any writer (on any thread) that asked first.
   * Cancel safety: cancel-safe. Errors: `Cancelled` when the task is cancelled.
   */
  read(): Promise<SharedRwLockReadGuard<T>> {
    const core = this.#core;
    if (core.available() !== 0) {
      const c = coop();
      if (c !== undefined) return c.then(() => this.read());
    }
    return acquireAsync(core, 1, () => constructReadGuard<T>(core, this.#cell), closedNever);
  }

  /**
   * Wait for exclusive access.
   * Cancel safety: cancel-safe; read permits collected while queued are given back.
   * Errors: `Cancelled` when the task is cancelled.
   */
  write(): Promise<SharedRwLockWriteGuard<T>> {
    const core = this.#core;
    const max = this.#max;
    if (core.available() === max) {
      const c = coop();
      if (c !== undefined) return c.then(() => this.write());
    }
    return acquireAsync(core, max, () => constructWriteGuard<T>(core, this.#cell, max), closedNever);
  }

  /** `read` for blocking-pool code: blocks the thread. */
  blockingRead(): SharedRwLockReadGuard<T> {
    acquireBlocking(this.#core, 1);
    return constructReadGuard<T>(this.#core, this.#cell);
  }

  /** `write` for blocking-pool code: blocks the thread. */
  blockingWrite(): SharedRwLockWriteGuard<T> {
    acquireBlocking(this.#core, this.#max);
    return constructWriteGuard<T>(this.#core, this.#cell, this.#max);
  }

  /** Shared access now. Errors: TryLockError when a writer holds it or is queued. */
  tryRead(): SharedRwLockReadGuard<T> {
    if (!this.#core.tryTake(1)) throw new TryLockError('rwlock (read)');
    return constructReadGuard<T>(this.#core, this.#cell);
  }

  /** Exclusive access now. Errors: TryLockError when anyone holds it. */
  tryWrite(): SharedRwLockWriteGuard<T> {
    if (!this.#core.tryTake(this.#max)) throw new TryLockError('rwlock (write)');
    return constructWriteGuard<T>(this.#core, this.#cell, this.#max);
  }

  /** @internal Crosses threads as its buffer. */
  [SHARED_HANDLE](): HandleDescriptor {
    return { kind: HandleKind.rwlock, sab: this.#buf.sab };
  }
}

/** A lock's core is never closed. */
function closedNever(): unknown {
  return new Error('skein: a SharedRwLock was closed (corrupt shared memory?)');
}
