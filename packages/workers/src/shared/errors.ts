/**
 * Errors raised by the shared-memory structures.
 *
 * They follow skein's convention (DESIGN.md, "Errors and bad input"): bad arguments throw
 * the standard `RangeError` / `TypeError` carrying a Node-style `code`, and a structure
 * that cannot accept more work throws a typed error with a stable `code` the caller can
 * switch on and back off from: a {@link SkeinError}.
 */
import { SkeinError, rangeError } from '@skein/core';

/** Stable code of {@link InjectFullError}. */
export const ERR_SKEIN_INJECT_FULL = 'ERR_SKEIN_INJECT_FULL';

/**
 * The inject queue had no room for a push. When `pending` is `null` nothing was taken and
 * the caller still owns what it tried to push. When `pending` is set (a local queue's
 * overflow lost the race for room), those ids were already removed from the local queue
 * and the caller now owns them: re-submit them after backing off, or they are lost.
 */
export class InjectFullError extends SkeinError {
  /** Always `ERR_SKEIN_INJECT_FULL`. */
  declare readonly code: typeof ERR_SKEIN_INJECT_FULL;
  /** Ids the caller must re-submit, or `null` if the caller's batch was left intact. */
  readonly pending: Int32Array | null;
  /** Ids the failed push asked room for. */
  readonly requested: number;
  /** Free slots at the time. */
  readonly free: number;
  /** The inject queue's capacity. */
  readonly capacity: number;

  constructor(requested: number, free: number, capacity: number, pending: Int32Array | null = null) {
    super(
      ERR_SKEIN_INJECT_FULL,
      `the inject queue is full: ${requested} id(s) requested, ${free} of ${capacity} slots free. ` +
        'Back off until workers drain it, or create the queue (SharedLayout injectCapacity) larger',
    );
    this.pending = pending;
    this.requested = requested;
    this.free = free;
    this.capacity = capacity;
  }
}

/** Throws unless `byteOffset` is a non-negative multiple of 4 leaving `bytes` inside `sab`. */
export function checkRegion(sab: SharedArrayBuffer, byteOffset: number, bytes: number, what: string): void {
  if (!Number.isInteger(byteOffset) || byteOffset < 0 || byteOffset % 4 !== 0) {
    throw rangeError(`${what}: byteOffset must be a non-negative multiple of 4, got ${byteOffset}`);
  }
  if (byteOffset + bytes > sab.byteLength) {
    throw rangeError(
      `${what}: needs ${bytes} bytes at offset ${byteOffset}, but the SharedArrayBuffer has ${sab.byteLength}`,
    );
  }
}

/** Throws unless `n` is a power of two in [min, max]. */
export function checkPowerOfTwo(n: number, min: number, max: number, what: string): void {
  if (!Number.isInteger(n) || n < min || n > max || (n & (n - 1)) !== 0) {
    throw rangeError(`${what} must be a power of two in [${min}, ${max}], got ${n}`);
  }
}

/** Throws unless `id` is a positive int32: 0 marks an empty slot, so it can't be an id. */
export function checkId(id: number): void {
  if ((id | 0) !== id || id <= 0) {
    throw rangeError(`task ids must be positive int32 values, got ${id}`);
  }
}
