/**
 * A worker's park word: Tokio's `scheduler/multi_thread/park.rs` on a SharedArrayBuffer.
 *
 * A worker with nothing to run parks; a thread that gives it work unparks it. Tokio's
 * parker is a three-state atomic (EMPTY, PARKED, NOTIFIED) in front of a condvar, so an
 * unpark that lands before the park is remembered and the next park returns at once: no
 * lost wake-ups, and no syscall when nobody sleeps. Here the condvar is `Atomics.waitAsync`
 * on the same word. Waiting asynchronously matters: a parked worker's event loop keeps
 * running its timers and I/O, and those may `unpark()` it from its own thread.
 *
 * One parker per worker; only its owner parks (one park at a time), any thread unparks.
 */

import { checkRegion } from './errors.js';
import { RESOLVED, waitAsync } from './wait_async.js';

/** No pending notification and nobody parked. */
export const EMPTY = 0;
/** The owner is (about to be) waiting on the word. */
export const PARKED = 1;
/** An unpark arrived; the next (or current) park consumes it. */
export const NOTIFIED = 2;

const STATE = 0;
/** One word, padded to a 64-byte line so neighbouring workers' parkers don't share it. */
const WORDS = 16;

/** A worker's park word. */
export class Parker {
  /** Bytes one parker occupies (a 64-byte line). */
  static bytesFor(): number {
    return WORDS * 4;
  }

  /** Allocates a parker in its own SharedArrayBuffer. */
  static create(): Parker {
    return new Parker(new SharedArrayBuffer(Parker.bytesFor()), 0);
  }

  /** The SharedArrayBuffer holding the word. */
  readonly sab: SharedArrayBuffer;
  /** Byte offset of this parker in `sab`. */
  readonly byteOffset: number;
  private readonly w: Int32Array;

  /** Attaches to the parker at `byteOffset` of `sab` (a zeroed region is EMPTY). */
  constructor(sab: SharedArrayBuffer, byteOffset: number) {
    checkRegion(sab, byteOffset, WORDS * 4, 'Parker');
    this.sab = sab;
    this.byteOffset = byteOffset;
    this.w = new Int32Array(sab, byteOffset, WORDS);
  }

  /**
   * Owner only. Resolves when unparked, or after `timeoutMs` (Tokio's `park_timeout`,
   * used when the worker has timers due). Returns a settled promise without waiting if an
   * unpark already arrived, consuming it.
   */
  park(timeoutMs?: number): Promise<void> {
    return this.tryConsume() ? RESOLVED : this.parkSlow(timeoutMs);
  }

  /** Consumes a pending notification, or moves EMPTY to PARKED; true if notified. */
  private tryConsume(): boolean {
    const w = this.w;
    if (Atomics.compareExchange(w, STATE, NOTIFIED, EMPTY) === NOTIFIED) return true;
    const prev = Atomics.compareExchange(w, STATE, EMPTY, PARKED);
    if (prev === EMPTY) return false;
    if (prev === NOTIFIED) {
      // Unparked between our two CASes; only unpark writes NOTIFIED, so just consume it.
      Atomics.store(w, STATE, EMPTY);
      return true;
    }
    throw new Error('Parker: park() called while already parked; only the owner parks, one park at a time');
  }

  private async parkSlow(timeoutMs: number | undefined): Promise<void> {
    const w = this.w;
    const deadline = timeoutMs === undefined ? Infinity : Date.now() + timeoutMs;
    for (;;) {
      const remaining = deadline === Infinity ? undefined : Math.max(0, deadline - Date.now());
      const res = waitAsync(w, STATE, PARKED, remaining);
      const outcome = res.async ? await res.value : res.value;
      if (Atomics.compareExchange(w, STATE, NOTIFIED, EMPTY) === NOTIFIED) return;
      if (outcome === 'timed-out' || Date.now() >= deadline) {
        // Like Tokio, a notification racing with the timeout is consumed here too.
        Atomics.store(w, STATE, EMPTY);
        return;
      }
      // Woken without a notification (spurious): wait again.
    }
  }

  /**
   * Owner only; blocks the thread in `Atomics.wait` (tests and dedicated threads).
   * Returns true if it was unparked, false on timeout.
   */
  parkSync(timeoutMs?: number): boolean {
    if (this.tryConsume()) return true;
    const w = this.w;
    const deadline = timeoutMs === undefined ? Infinity : Date.now() + timeoutMs;
    for (;;) {
      const remaining = deadline === Infinity ? undefined : Math.max(0, deadline - Date.now());
      const outcome = Atomics.wait(w, STATE, PARKED, remaining);
      if (Atomics.compareExchange(w, STATE, NOTIFIED, EMPTY) === NOTIFIED) return true;
      if (outcome === 'timed-out' || Date.now() >= deadline) {
        return Atomics.exchange(w, STATE, EMPTY) === NOTIFIED;
      }
    }
  }

  /**
   * Any thread, including the owner. Makes the current or next park return; wakes the
   * owner only if it is actually waiting. Returns true if it was parked.
   */
  unpark(): boolean {
    const w = this.w;
    if (Atomics.exchange(w, STATE, NOTIFIED) !== PARKED) return false;
    Atomics.notify(w, STATE, 1);
    return true;
  }

  /**
   * Back to EMPTY, whatever the state. Only for a parker whose owner thread is gone (a
   * crashed worker's replacement must not inherit its PARKED or NOTIFIED state).
   */
  reset(): void {
    Atomics.store(this.w, STATE, EMPTY);
  }

  /** The current state: {@link EMPTY}, {@link PARKED} or {@link NOTIFIED} (snapshot). */
  state(): number {
    return Atomics.load(this.w, STATE);
  }
}
