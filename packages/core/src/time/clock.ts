/**
 * A monotonic millisecond clock that can be paused, for deterministic tests.
 *
 * Running, it is `performance.now()` plus a skew. Paused, it stands still at an integer
 * millisecond and only `advance` moves it, so `sleep(d)` resolves on exactly `advance(d)`:
 * with integer instants the deadline tick `now + d` is exact, with no +1 ms rounding.
 * Resuming continues from the paused instant (Tokio's behaviour), never jumping back.
 */
import { performance } from 'node:perf_hooks';
import { SkeinError } from '../errors/skein_error.js';

/** One runtime-thread's notion of now. */
export class Clock {
  #paused = false;
  #frozen = 0;
  #skew = 0;

  /** Milliseconds on this clock (monotonic; stands still while paused). */
  now(): number {
    return this.#paused ? this.#frozen : performance.now() + this.#skew;
  }

  get paused(): boolean {
    return this.#paused;
  }

  /** Stop the clock at the next whole millisecond. Errors: SkeinError if already paused. */
  pause(): void {
    if (this.#paused)
      throw new SkeinError('ERR_SKEIN_CLOCK_PAUSED', 'time is already paused; call time.resume() first');
    this.#frozen = Math.ceil(this.now());
    this.#paused = true;
  }

  /** Restart the clock from the paused instant. Errors: SkeinError if not paused. */
  resume(): void {
    if (!this.#paused)
      throw new SkeinError('ERR_SKEIN_CLOCK_NOT_PAUSED', 'time is not paused; call time.pause() first');
    this.#skew = this.#frozen - performance.now();
    this.#paused = false;
  }

  /** Move a paused clock forward by `ms`. */
  advanceTo(instant: number): void {
    if (instant > this.#frozen) this.#frozen = instant;
  }
}
