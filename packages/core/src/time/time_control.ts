/**
 * `time.pause()`, `time.resume()`, `time.advance(ms)`: Tokio's test-util clock control.
 * They act on the current runtime's clock; as in Tokio, only the current-thread flavour
 * supports pausing.
 */
import { assertDuration } from '../errors/invalid_argument.js';
import { SkeinError } from '../errors/skein_error.js';
import { currentRuntime } from '../runtime/current.js';
import type { RuntimeCore } from '../runtime/runtime_core.js';
import { yieldNow } from '../task/yield_now.js';

function pausable(what: string): RuntimeCore {
  const rt = currentRuntime(what);
  if (rt.flavor !== 'current_thread') {
    throw new SkeinError(
      'ERR_SKEIN_PAUSE_FLAVOR',
      `${what} needs the current-thread runtime (Tokio's rule): build one with Runtime.builder().currentThread()`,
    );
  }
  return rt;
}

/** Paused-clock control for tests. */
export const time = {
  /**
   * Freeze the clock. While paused, the runtime jumps to the next timer whenever every task
   * is idle. Errors: SkeinError if already paused or on a multi-thread runtime.
   */
  pause(): void {
    const rt = pausable('time.pause()');
    rt.time.clock.pause();
    rt.time.clockChanged();
  },
  /** Let the clock run again from the paused instant. Errors: SkeinError if not paused. */
  resume(): void {
    const rt = pausable('time.resume()');
    rt.time.clock.resume();
    rt.time.clockChanged();
  },
  /**
   * Move the paused clock forward by `ms`, fire the timers now due (in deadline order), and
   * let the woken tasks run before resolving. Errors: SkeinError if the clock isn't paused.
   */
  async advance(ms: number): Promise<void> {
    assertDuration(ms, 'ms');
    const rt = pausable('time.advance()');
    if (!rt.time.clock.paused) {
      throw new SkeinError(
        'ERR_SKEIN_CLOCK_NOT_PAUSED',
        'time.advance() needs a paused clock: call time.pause() or build with .startPaused(true)',
      );
    }
    rt.time.advanceTo(rt.time.clock.now() + ms);
    await yieldNow();
  },
};
