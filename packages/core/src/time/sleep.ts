/**
 * `sleep` and `sleepUntil`: runtime awaits on the thread's timer wheel.
 *
 * Cancel safety: cancelling a sleep (abort, `select`, `timeout`) removes it from the wheel;
 * nothing else is lost.
 */
import { assertDuration, assertInstant } from '../errors/invalid_argument.js';
import { currentRuntime } from '../runtime/current.js';

/**
 * Wait `ms` milliseconds (1 ms resolution). Resolves through the scheduler.
 * Errors: RangeError / TypeError for a negative or non-numeric duration; NoRuntimeError
 * outside a runtime; rejects with `Cancelled` when the task is aborted.
 */
export function sleep(ms: number): Promise<void> {
  assertDuration(ms, 'ms');
  const time = currentRuntime('sleep()').time;
  return time.sleepUntil(time.clock.now() + ms);
}

/** Wait until the instant `deadline` (an `Instant.now()` value). A past deadline resolves at once. */
export function sleepUntil(deadline: number): Promise<void> {
  assertInstant(deadline);
  return currentRuntime('sleepUntil()').time.sleepUntil(deadline);
}
