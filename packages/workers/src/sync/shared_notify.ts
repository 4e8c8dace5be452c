/**
 * `SharedNotify`: core's `Notify` for tasks on any thread of a runtime, on a
 * {@link PermitCore} whose counter is capped at one permit: the stored permit of
 * `notifyOne()` with nobody waiting. `notified()` is an acquire of one permit, so waiters
 * on every thread queue FIFO in shared memory and a notification wakes exactly the task it
 * picked, wherever it runs.
 *
 * Cancellation follows the permit core: a waiter cancelled while queued leaves; one picked
 * but cancelled before its task resumed passes the wake-up on (to the next waiter, or into
 * the stored permit). Unlike core's Notify this also holds for a wake-up from
 * `notifyWaiters` (the shared node doesn't record how it was granted): a cancelled waiter
 * then stores a permit if nobody else waits.
 */
import { coop } from '@skein/core';
import { HandleKind, SHARED_HANDLE, registerHandleKind, type HandleDescriptor } from './handle_codec.js';
import { DEFAULT_MAX_QUEUED, type PermitCore } from './permit_core.js';
import { allocatePrimitive, attachPrimitive, type PrimitiveBuffer } from './primitive_buffer.js';
import { acquireAsync } from './shared_wait.js';

/** Options of {@link SharedNotify}. */
export interface SharedNotifyOptions {
  /** Waiters queued in shared memory at once (default 256); see SharedSemaphoreOptions. */
  maxQueued?: number;
}

/** Tokio's `Notify` shared by every thread of a runtime: wake one task (FIFO or LIFO), or every waiting task. */
export class SharedNotify {
  readonly #buf: PrimitiveBuffer;
  readonly #core: PermitCore;

  static {
    registerHandleKind(HandleKind.notify, (sab) => new SharedNotify({}, attachPrimitive(sab, HandleKind.notify)));
  }

  /** Errors: RangeError when `maxQueued` is out of range. */
  constructor(opts?: SharedNotifyOptions);
  /** @internal */
  constructor(opts: SharedNotifyOptions, attached: PrimitiveBuffer);
  constructor(opts: SharedNotifyOptions = {}, attached?: PrimitiveBuffer) {
    this.#buf = attached ?? allocatePrimitive(HandleKind.notify, 0, opts.maxQueued ?? DEFAULT_MAX_QUEUED, [], 0, 1);
    this.#core = this.#buf.core;
  }

  /**
   * Wait for a notification; consumes the stored permit if there is one. The waiter is
   * queued at the call, so a `notifyWaiters()` after it reaches it even before the await.
   * Cancel safety: cancel-safe; a wake-up it had already received is passed on.
   * Errors: `Cancelled` when the task is cancelled.
   */
  notified(): Promise<void> {
    const core = this.#core;
    if (core.available() !== 0) {
      const c = coop();
      if (c !== undefined) return c.then(() => this.notified());
    }
    return acquireAsync(core, 1, () => undefined, closedNever);
  }

  /** Wake the oldest waiter on any thread, or store one permit when nobody waits (at most one). */
  notifyOne(): void {
    this.#core.grantOne(true);
  }

  /** Wake the newest waiter, or store one permit when nobody waits (Tokio's `notify_last`). */
  notifyLast(): void {
    this.#core.grantOne(false);
  }

  /** Wake every task waiting right now, on every thread. Stores no permit. */
  notifyWaiters(): void {
    this.#core.grantAll();
  }

  /** Waiters queued right now, on every thread (a diagnostic). */
  waiterCount(): number {
    return this.#core.queued();
  }

  /** @internal Crosses threads as its buffer. */
  [SHARED_HANDLE](): HandleDescriptor {
    return { kind: HandleKind.notify, sab: this.#buf.sab };
  }
}

/** A notify's core is never closed. */
function closedNever(): unknown {
  return new Error('skein: a SharedNotify was closed (corrupt shared memory?)');
}
