/**
 * Poll-time distributions as plain data: what the page draws and what Prometheus buckets
 * are cut from. A `PollTimeHistogram` can only be asked for percentiles, so a distribution
 * travels as its percentile points and bucket counts are read off the piecewise-linear CDF
 * through them (the same reading core uses to merge the workers' summaries).
 */
import type { PollTimeHistogram } from '@skein/core';

/** A poll-time distribution in microseconds: count, extremes, mean, `[percentile, us]` points. */
export interface PollTimes {
  readonly count: number;
  readonly minUs: number;
  readonly maxUs: number;
  readonly meanUs: number;
  /** Ascending percentiles (0 to 100) and the poll time at each. */
  readonly percentilesUs: readonly (readonly [number, number])[];
}

/** One bar of a histogram: polls that took at most `leUs` (and more than the bar before). */
export interface PollTimeBucket {
  /** The upper bound; null for the last bucket, +Inf (null survives JSON, Infinity doesn't). */
  readonly leUs: number | null;
  readonly count: number;
}

/** The percentiles sampled from a histogram. */
const PERCENTILES: readonly number[] = [0, 1, 5, 10, 25, 50, 75, 90, 95, 99, 99.9, 100];

/** Bucket bounds in microseconds, 10 µs to 1 s (the last bucket, +Inf, is implicit). */
export const BUCKET_BOUNDS_US: readonly number[] = [
  10, 25, 50, 100, 250, 500, 1_000, 2_500, 5_000, 10_000, 25_000, 50_000, 100_000, 250_000, 1_000_000,
];

/** Read `h` once into plain data. */
export function summarize(h: PollTimeHistogram): PollTimes {
  const count = h.count;
  if (count === 0) return { count: 0, minUs: 0, maxUs: 0, meanUs: 0, percentilesUs: [] };
  let prev = 0;
  // Percentiles of a merged histogram are interpolated; keep them monotonic for the CDF.
  const percentilesUs = PERCENTILES.map((p): [number, number] => [
    p,
    (prev = Math.max(prev, p === 0 ? h.min : p === 100 ? h.max : h.percentile(p))),
  ]);
  return { count, minUs: h.min, maxUs: h.max, meanUs: h.mean, percentilesUs };
}

/** Polls at or below each bound (cumulative, as Prometheus buckets are). */
export function cumulativeCounts(t: PollTimes, boundsUs: readonly number[] = BUCKET_BOUNDS_US): number[] {
  return boundsUs.map((b) => Math.round(t.count * cdf(t.percentilesUs, b)));
}

/** Polls per bucket (not cumulative), the last bucket being everything above the top bound. */
export function buckets(t: PollTimes, boundsUs: readonly number[] = BUCKET_BOUNDS_US): PollTimeBucket[] {
  const cum = cumulativeCounts(t, boundsUs);
  const out: PollTimeBucket[] = boundsUs.map((leUs, i) => ({ leUs, count: cum[i]! - (i === 0 ? 0 : cum[i - 1]!) }));
  out.push({ leUs: null, count: t.count - (cum[cum.length - 1] ?? 0) });
  return out;
}

/** Fraction of samples at or below `x`, linear between percentile points. */
function cdf(points: readonly (readonly [number, number])[], x: number): number {
  if (points.length === 0 || x < points[0]![1]) return 0;
  for (let i = 1; i < points.length; i++) {
    const [p1, v1] = points[i]!;
    if (x < v1) {
      const [p0, v0] = points[i - 1]!;
      return (p0 + ((x - v0) / (v1 - v0)) * (p1 - p0)) / 100;
    }
  }
  return 1;
}
