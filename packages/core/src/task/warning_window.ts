/**
 * The rate limit on tracking's warnings: at most a fixed number a second per thread, so a
 * thread whose every task polls long can't flood the log. What it holds back is counted,
 * and the next warning let through reports that count.
 */
import { performance } from 'node:perf_hooks';

/** A one-second window of warnings. */
export class WarningWindow {
  readonly #perSecond: number;
  #start = 0;
  #count = 0;
  #suppressed = 0;

  constructor(perSecond: number) {
    this.#perSecond = perSecond;
  }

  /**
   * A warning wants out: how many were held back since the last one let through (then
   * reset), or -1 when this one is held back too.
   */
  admit(): number {
    const now = performance.now();
    if (now - this.#start >= 1000) {
      this.#start = now;
      this.#count = 0;
    }
    if (++this.#count > this.#perSecond) {
      this.#suppressed++;
      return -1;
    }
    const suppressed = this.#suppressed;
    this.#suppressed = 0;
    return suppressed;
  }
}
