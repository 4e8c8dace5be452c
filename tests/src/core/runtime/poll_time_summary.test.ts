/**
 * Merging poll-time summaries (what a multi-thread runtime does with its workers'
 * histograms): a lone source answers exactly at its summary points, and sources mix by
 * their sample counts.
 */
import { describe, expect, it } from 'vitest';
import { createHistogram } from 'node:perf_hooks';
import { SUMMARY_SLOTS, mergedPollHistogram, writeSummary } from '@skein/core/internal';

function histogram(valuesNs: number[]): ReturnType<typeof createHistogram> {
  const h = createHistogram();
  for (const v of valuesNs) h.record(v);
  return h;
}

describe('merged poll-time histograms', () => {
  it('is exact for the local histogram alone, and empty when nothing was recorded', () => {
    const local = histogram([1000, 2000, 3000, 4000]);
    const empty = new Float64Array(SUMMARY_SLOTS);
    const m = mergedPollHistogram(local, empty, [0]);
    expect(m.count).toBe(4);
    expect(m.percentile(50)).toBe(local.percentile(50) / 1000);
    expect(m.min).toBeCloseTo(1, 2);
    expect(m.max).toBeCloseTo(4, 2);
    const none = mergedPollHistogram(createHistogram(), empty, [0]);
    expect([none.count, none.percentile(99), none.min, none.max, none.mean]).toEqual([0, 0, 0, 0, 0]);
  });

  it('weights sources by count: 900 samples near 10 µs and 100 near 1000 µs', () => {
    const fast = histogram(Array.from({ length: 900 }, (_, i) => 10_000 + i));
    const slow = histogram(Array.from({ length: 100 }, (_, i) => 1_000_000 + i * 10));
    const src = new Float64Array(2 * SUMMARY_SLOTS);
    writeSummary(src, 0, fast);
    writeSummary(src, SUMMARY_SLOTS, slow);
    const m = mergedPollHistogram(createHistogram(), src, [0, SUMMARY_SLOTS]);
    expect(m.count).toBe(1000);
    expect(m.percentile(50)).toBeGreaterThan(9);
    expect(m.percentile(50)).toBeLessThan(11);
    expect(m.percentile(95)).toBeGreaterThan(990);
    expect(m.percentile(95)).toBeLessThan(1010);
    expect(m.min).toBeCloseTo(10, 0);
    expect(m.max).toBeCloseTo(1001, 0);
    expect(m.mean).toBeCloseTo((900 * fast.mean + 100 * slow.mean) / 1000 / 1000, 3);
    // Monotonic in p.
    let prev = 0;
    for (const p of [0, 1, 10, 50, 89, 90, 91, 99, 99.9, 100]) {
      const v = m.percentile(p);
      expect(v).toBeGreaterThanOrEqual(prev);
      prev = v;
    }
  });
});
