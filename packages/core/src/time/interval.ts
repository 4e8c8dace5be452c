/**
 * `interval`: ticks at a fixed period, with Tokio's `MissedTickBehavior`.
 *
 * The first tick completes at once. Each tick resolves with the instant it was *scheduled*
 * for, not when it ran. When a tick is late by more than 5 ms (Tokio's threshold) the next
 * deadline follows the missed-tick behaviour:
 * - `burst` (default): catch up, firing back-to-back until on schedule again;
 * - `delay`: the next tick is one period from now;
 * - `skip`: the next tick is the next multiple of the period on the original schedule.
 *
 * Cancel safety: `tick()` is cancel-safe; a cancelled tick doesn't consume the deadline.
 */
import { assertDuration, rangeError, typeError } from '../errors/invalid_argument.js';
import { currentRuntime } from '../runtime/current.js';
import type { TimeDriver } from './driver.js';

/** What an interval does after a late tick. */
export type MissedTickBehavior = 'burst' | 'delay' | 'skip';

/** Options of {@link interval}. */
export interface IntervalOptions {
  readonly missedTickBehavior?: MissedTickBehavior;
}

const LATE_MS = 5;

/** Set by Interval's static block, the one place that may call its private constructor. */
let construct: (time: TimeDriver, start: number, period: number, behavior: MissedTickBehavior) => Interval;

/** A stream of ticks; see {@link interval}. */
export class Interval implements AsyncIterable<number> {
  readonly period: number;
  missedTickBehavior: MissedTickBehavior;
  readonly #time: TimeDriver;
  #next: number;

  /** Use {@link interval} / {@link intervalAt}. */
  private constructor(time: TimeDriver, start: number, period: number, behavior: MissedTickBehavior) {
    this.#time = time;
    this.#next = start;
    this.period = period;
    this.missedTickBehavior = behavior;
  }

  static {
    construct = (time, start, period, behavior) => new Interval(time, start, period, behavior);
  }

  /** Wait for the next tick; resolves with the tick's scheduled instant. */
  async tick(): Promise<number> {
    const scheduled = this.#next;
    await this.#time.sleepUntil(scheduled);
    const now = this.#time.clock.now();
    this.#next = now - scheduled > LATE_MS ? this.#missed(scheduled, now) : scheduled + this.period;
    return scheduled;
  }

  /** Restart the schedule: the next tick is one period from now. */
  reset(): void {
    this.#next = this.#time.clock.now() + this.period;
  }

  /** Reset so that the next tick completes immediately. */
  resetImmediately(): void {
    this.#next = this.#time.clock.now();
  }

  #missed(scheduled: number, now: number): number {
    switch (this.missedTickBehavior) {
      case 'burst':
        return scheduled + this.period;
      case 'delay':
        return now + this.period;
      case 'skip':
        return now + this.period - ((now - scheduled) % this.period);
    }
  }

  async *[Symbol.asyncIterator](): AsyncIterator<number> {
    for (;;) yield await this.tick();
  }
}

function checkBehavior(opts: IntervalOptions | undefined): MissedTickBehavior {
  const b = opts?.missedTickBehavior ?? 'burst';
  if (b !== 'burst' && b !== 'delay' && b !== 'skip') {
    throw typeError(
      `missedTickBehavior must be 'burst', 'delay' or 'skip'. Received ${String(b)}`,
      'ERR_INVALID_ARG_VALUE',
    );
  }
  return b;
}

/**
 * Tick every `periodMs`, the first tick at once.
 * Errors: RangeError (`ERR_OUT_OF_RANGE`) for a period <= 0; NoRuntimeError outside a runtime.
 */
export function interval(periodMs: number, opts?: IntervalOptions): Interval {
  return intervalAt(undefined, periodMs, opts);
}

/** Tick every `periodMs`, the first tick at instant `start` (default: now). */
export function intervalAt(start: number | undefined, periodMs: number, opts?: IntervalOptions): Interval {
  assertDuration(periodMs, 'periodMs');
  if (periodMs <= 0) throw rangeError(`The value of "periodMs" is out of range. It must be > 0. Received ${periodMs}`);
  const behavior = checkBehavior(opts);
  const time = currentRuntime('interval()').time;
  return construct(time, start ?? time.clock.now(), periodMs, behavior);
}
