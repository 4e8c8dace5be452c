/**
 * Poll-time histograms that live on other threads.
 *
 * A `RecordableHistogram` can't be shared between isolates, and `runtime.metrics()` must
 * answer synchronously, so a multi-thread worker publishes a fixed-size summary of its
 * histogram (count, min, max, mean and the values at {@link SUMMARY_PERCENTILES}) into
 * shared memory, and the main thread merges the summaries. The merge treats each summary
 * as a piecewise-linear distribution through its percentile points and mixes them by
 * count: exact at the summary points of a single source, an interpolation between them
 * otherwise. Tokio merges exact bucket counts; this is the cheapest form that still gives
 * a whole-runtime p99 without messaging the workers.
 */
import type { RecordableHistogram } from 'node:perf_hooks';
import type { PollTimeHistogram } from './runtime_metrics.js';

/** The percentiles a summary records (0 and 100 are min and max). */
export const SUMMARY_PERCENTILES: readonly number[] = [0, 1, 5, 10, 25, 50, 75, 90, 95, 99, 99.9, 100];

/** Float64 slots one summary takes: count, min, max, mean, then the percentile values. */
export const SUMMARY_SLOTS = 4 + SUMMARY_PERCENTILES.length;

/** Write `h`'s summary (values in the histogram's unit) at `base` of `out`. */
export function writeSummary(out: Float64Array, base: number, h: RecordableHistogram): void {
  const s = summaryOf(h, true);
  out[base] = s.count;
  out[base + 1] = s.min;
  out[base + 2] = s.max;
  out[base + 3] = s.mean;
  for (let i = 0; i < s.values.length; i++) out[base + 4 + i] = s.values[i]!;
}

/** A summary as read back: percentile values made monotonic. */
interface Summary {
  count: number;
  min: number;
  max: number;
  mean: number;
  values: number[];
}

/**
 * `h` as a summary; its percentile points only `withValues` (a dozen lookups: the count,
 * min, max and mean getters of a merged histogram don't need them).
 */
function summaryOf(h: RecordableHistogram, withValues: boolean): Summary {
  const n = h.count;
  const values: number[] = [];
  if (withValues) for (const p of SUMMARY_PERCENTILES) values.push(n === 0 ? 0 : p === 0 ? h.min : h.percentile(p));
  return n === 0 ? { count: 0, min: 0, max: 0, mean: 0, values } : { count: n, min: h.min, max: h.max, mean: h.mean, values };
}

/** Reads a summary written by {@link writeSummary}. */
function readSummary(src: Float64Array, base: number): Summary {
  const values: number[] = [];
  let prev = -Infinity;
  for (let i = 0; i < SUMMARY_PERCENTILES.length; i++) {
    // A summary read while its worker rewrites it may be torn: keep it monotonic.
    prev = Math.max(prev, src[base + 4 + i]!);
    values.push(prev);
  }
  return { count: src[base]!, min: src[base + 1]!, max: src[base + 2]!, mean: src[base + 3]!, values };
}

/** Fraction of a summary's samples at or below `x` (linear between percentile points). */
function cdf(s: Summary, x: number): number {
  const v = s.values;
  if (x < v[0]!) return 0;
  if (x >= v[v.length - 1]!) return 1;
  for (let i = 1; i < v.length; i++) {
    if (x < v[i]!) {
      const lo = v[i - 1]!;
      const span = v[i]! - lo;
      const p0 = SUMMARY_PERCENTILES[i - 1]!;
      const p1 = SUMMARY_PERCENTILES[i]!;
      return (p0 + (span === 0 ? 0 : ((x - lo) / span) * (p1 - p0))) / 100;
    }
  }
  return 1;
}

/**
 * One PollTimeHistogram (microseconds) over an exact local histogram (nanoseconds) and
 * summaries in `src` at `bases` (nanoseconds). With only the local histogram holding
 * samples, answers are exact.
 */
export function mergedPollHistogram(local: RecordableHistogram, src: Float64Array, bases: readonly number[]): PollTimeHistogram {
  /** The sources holding samples; the local one with its percentile points if `full`. */
  const parts = (full: boolean): Summary[] => {
    const out: Summary[] = [];
    if (local.count > 0) out.push(summaryOf(local, full));
    for (const b of bases) if (src[b]! > 0) out.push(readSummary(src, b));
    return out;
  };
  const total = (ps: Summary[]): number => ps.reduce((n, s) => n + s.count, 0);
  return {
    percentile(p: number): number {
      if (local.count > 0 && bases.every((b) => !(src[b]! > 0))) return local.percentile(p) / 1000;
      const ps = parts(true);
      if (ps.length === 0) return 0;
      const n = total(ps);
      let lo = Math.min(...ps.map((s) => s.min));
      let hi = Math.max(...ps.map((s) => s.max));
      const target = Math.min(Math.max(p, 0), 100) / 100;
      // The merged CDF is monotonic: bisect for the smallest value reaching the target.
      for (let k = 0; k < 60 && hi - lo > 1e-9 * Math.max(1, hi); k++) {
        const mid = (lo + hi) / 2;
        const f = ps.reduce((acc, s) => acc + s.count * cdf(s, mid), 0) / n;
        if (f >= target) hi = mid;
        else lo = mid;
      }
      return hi / 1000;
    },
    get count() { return total(parts(false)); },
    get min() { const ps = parts(false); return ps.length === 0 ? 0 : Math.min(...ps.map((s) => s.min)) / 1000; },
    get max() { const ps = parts(false); return ps.length === 0 ? 0 : Math.max(...ps.map((s) => s.max)) / 1000; },
    get mean() {
      const ps = parts(false);
      const n = total(ps);
      return n === 0 ? 0 : ps.reduce((acc, s) => acc + s.count * s.mean, 0) / n / 1000;
    },
  };
}
