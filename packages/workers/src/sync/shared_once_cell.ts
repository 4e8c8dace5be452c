/**
 * `SharedOnceCell<T>`: core's `OnceCell` for tasks on any thread of a runtime, built as
 * Tokio builds it: a one-permit {@link PermitCore} elects the initializer. Callers of
 * `getOrInit` on every thread queue on it FIFO; the first runs its `f`. On success the
 * value is stored (a structured clone) and the core *closed*, which fails every queued
 * acquire, and those callers read the value instead. If `f` throws or its task is
 * cancelled, the permit goes back and the next caller in line, on whatever thread, runs
 * its own `f`.
 */
import { AcquireError, SetError, assertFunction, coop } from '@skein/core';
import { HandleKind, SHARED_HANDLE, registerHandleKind, type HandleDescriptor } from './handle_codec.js';
import { DEFAULT_MAX_QUEUED, type PermitCore } from './permit_core.js';
import { allocatePrimitive, attachPrimitive, type PrimitiveBuffer } from './primitive_buffer.js';
import { acquireAsync } from './shared_wait.js';
import { DEFAULT_MAX_BYTES, ValueCell } from './value_cell.js';

/** Options of {@link SharedOnceCell}. */
export interface SharedOnceCellOptions {
  /** Most bytes the encoded value may take (default 64 KiB); a larger one throws RangeError. */
  maxBytes?: number;
  /** Waiters queued in shared memory at once (default 256); see SharedSemaphoreOptions. */
  maxQueued?: number;
}

const WHAT = 'the value of a SharedOnceCell';
/** Region: the INIT word (1 once the value is stored), then the value cell. */
const INIT = 0;
const CELL_OFFSET = 8;

/** Tokio's `OnceCell<T>` shared by every thread of a runtime: set once, read everywhere. */
export class SharedOnceCell<T> {
  readonly #buf: PrimitiveBuffer;
  readonly #core: PermitCore;
  readonly #init: Int32Array;
  readonly #cell: ValueCell;
  /** This thread's copy, decoded once: the stored value never changes. */
  #copy: { v: T } | undefined = undefined;

  static {
    registerHandleKind(HandleKind.onceCell, (sab) => new SharedOnceCell({}, attachPrimitive(sab, HandleKind.onceCell)));
  }

  /** An empty cell. Errors: RangeError when an option is out of range. */
  constructor(opts?: SharedOnceCellOptions);
  /** @internal */
  constructor(opts: SharedOnceCellOptions, attached: PrimitiveBuffer);
  constructor(opts: SharedOnceCellOptions = {}, attached?: PrimitiveBuffer) {
    if (attached === undefined) {
      const maxBytes = opts.maxBytes ?? DEFAULT_MAX_BYTES;
      const cellBytes = ValueCell.bytesFor(maxBytes);
      attached = allocatePrimitive(
        HandleKind.onceCell,
        1,
        opts.maxQueued ?? DEFAULT_MAX_QUEUED,
        [maxBytes],
        CELL_OFFSET + cellBytes,
      );
    }
    this.#buf = attached;
    this.#core = attached.core;
    this.#init = new Int32Array(attached.sab, attached.regionOffset, 1);
    this.#cell = new ValueCell(attached.sab, attached.regionOffset + CELL_OFFSET, attached.params[0]!);
  }

  /** The value (this thread's copy), or undefined while uninitialized. */
  get(): T | undefined {
    if (this.#copy !== undefined) return this.#copy.v;
    if (Atomics.load(this.#init, INIT) === 0) return undefined;
    this.#copy = { v: this.#cell.read() as T };
    return this.#copy.v;
  }

  /** Whether a value has been stored, by any thread. */
  initialized(): boolean {
    return Atomics.load(this.#init, INIT) !== 0;
  }

  /**
   * Store `value` (a structured clone).
   * Errors: SetError `alreadyInitialized` when set before, `initializing` while a
   * `getOrInit` initializer runs on some thread; SerializationError / RangeError (over
   * maxBytes). Nothing is stored when it throws.
   */
  set(value: T): void {
    if (this.initialized()) throw new SetError('alreadyInitialized', value);
    if (!this.#core.tryTake(1)) throw new SetError(this.initialized() ? 'alreadyInitialized' : 'initializing', value);
    try {
      this.#complete(value);
    } catch (err) {
      this.#core.release(1);
      throw err;
    }
  }

  /**
   * The value, initializing it with `f` if needed. `f` runs on one thread at a time;
   * callers arriving meanwhile, on every thread, wait for its result. If `f` throws (or its
   * task is cancelled), that caller gets the error and the next waiting caller runs its
   * own `f` (Tokio's retry semantics).
   * Cancel safety: cancel-safe; a cancelled initializer lets the next caller in.
   * Errors: whatever `f` throws; SerializationError / RangeError when its value can't be
   * stored (the next caller then tries); `Cancelled` when the task is cancelled.
   */
  getOrInit(f: () => T | PromiseLike<T>): Promise<T> {
    if (this.initialized()) {
      const c = coop();
      if (c !== undefined) return c.then(() => this.getOrInit(f));
      return Promise.resolve(this.get() as T);
    }
    assertFunction(f, 'f');
    return this.#initWith(f);
  }

  async #initWith(f: () => T | PromiseLike<T>): Promise<T> {
    const core = this.#core;
    try {
      await acquireAsync(
        core,
        1,
        () => undefined,
        () => new AcquireError(),
      );
    } catch (err) {
      // Closed means initialized: the core closes only on success.
      if (err instanceof AcquireError && this.initialized()) return this.get() as T;
      throw err;
    }
    if (this.initialized()) {
      core.release(1);
      return this.get() as T;
    }
    let done = false;
    try {
      const v = await f();
      this.#complete(v);
      done = true;
      return v;
    } finally {
      if (!done) core.release(1);
    }
  }

  /** Holder of the permit: store, publish, and fail every queued caller so they read it. */
  #complete(v: T): void {
    this.#cell.write(v, WHAT);
    this.#copy = { v };
    Atomics.store(this.#init, INIT, 1);
    this.#core.close();
  }

  /** @internal Crosses threads as its buffer. */
  [SHARED_HANDLE](): HandleDescriptor {
    return { kind: HandleKind.onceCell, sab: this.#buf.sab };
  }
}
