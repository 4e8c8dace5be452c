/**
 * `Instant`: a monotonic millisecond clock that follows the paused clock. Outside a
 * runtime it is `performance.now()`.
 */
import { performance } from 'node:perf_hooks';
import { tryCurrentRuntime } from '../runtime/current.js';

/** Monotonic instants, in milliseconds. */
export const Instant = {
  /** Now, on the current runtime's clock (paused or not). */
  now(): number {
    const rt = tryCurrentRuntime();
    return rt === undefined ? performance.now() : rt.time.clock.now();
  },
  /** Milliseconds since `instant`. */
  elapsed(instant: number): number {
    return Instant.now() - instant;
  },
};
