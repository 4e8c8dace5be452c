import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, it, expect } from 'vitest';
import { summaryTable, writeMarkdown } from '../../../benchmarks/src/report.js';
import type { BenchResult } from '../../../benchmarks/src/harness.js';

/** The benchmark report: each bench's target is checked against the contender it names. */
describe('benchmark report', () => {
  const figure = (name: string, opsPerSec: number, ratio: number) => ({
    name,
    opsPerSec,
    medianMs: 1,
    rounds: 1,
    ratio,
  });

  function render(results: BenchResult[]): string {
    const dir = mkdtempSync(join(tmpdir(), 'skein-report-'));
    writeFileSync(
      join(dir, 't.json'),
      JSON.stringify({ suite: { machine: 'm', date: '2026-01-01T00:00:00Z', results, notes: [] } }),
    );
    writeMarkdown(pathToFileURL(`${dir}/`), 't');
    return readFileSync(join(dir, 't.md'), 'utf8');
  }

  it('marks a throughput target met or missed by the first skein contender', () => {
    const md = render([
      {
        name: 'fast',
        description: 'd',
        unit: 'tasks/s',
        baseline: 'raw',
        target: { value: 1e6, note: '≥ 1M' },
        figures: [figure('raw', 4e6, 1), figure('skein a', 1.5e6, 0.37), figure('skein b', 0.5e6, 0.12)],
      },
      {
        name: 'slow',
        description: 'd',
        unit: 'msgs/s',
        baseline: 'raw',
        target: { value: 3e6, note: '≥ 3M' },
        figures: [figure('skein x', 1.5e6, 3), figure('raw', 0.5e6, 1)],
      },
    ]);
    expect(md).toContain('| fast: skein a | 1.50 M tasks/s | ≥ 1M ✅ |');
    expect(md).toContain('| slow: skein x | 1.50 M msgs/s | ≥ 3M ❌ |');
  });

  it('checks a ratio target for the contender it names', () => {
    const md = render([
      {
        name: 'fib',
        description: 'd',
        unit: 'fibs/s',
        baseline: 'one',
        target: { value: 1.8, note: '≥ 1.8×', kind: 'ratio-min', contender: 'skein 2' },
        figures: [figure('one', 100, 1), figure('skein 1', 95, 0.95), figure('skein 2', 190, 1.9)],
      },
    ]);
    expect(md).toContain('| fib: skein 2 | 1.90× one | ≥ 1.8× ✅ |');
    expect(md).not.toContain('fib: skein 1');
  });

  it('puts each targeted figure of every Node side by side in the summary, skipping untargeted ones', () => {
    const dir = mkdtempSync(join(tmpdir(), 'skein-summary-'));
    const bench = (ops: number) => ({
      name: 'fast',
      description: 'd',
      unit: 'tasks/s',
      baseline: 'raw',
      target: { value: 1e6, note: '≥ 1M' },
      figures: [figure('raw', 4e6, 1), figure('skein a', ops, ops / 4e6)],
    });
    const untargeted = { name: 'free', description: 'd', unit: 'x/s', baseline: 'raw', figures: [figure('raw', 1, 1)] };
    const heap = { name: 'heap', figure: '900 MiB', target: '< 1 GiB', met: true };
    writeFileSync(
      join(dir, 'node24.json'),
      JSON.stringify({
        s: {
          machine: 'm',
          date: 'd',
          results: [bench(2e6), untargeted],
          notes: [heap, { name: 'plain', figure: 'x' }],
        },
      }),
    );
    writeFileSync(
      join(dir, 'node26.json'),
      JSON.stringify({ s: { machine: 'm', date: 'd', results: [bench(5e5)], notes: [] } }),
    );
    const md = summaryTable(pathToFileURL(`${dir}/`), ['node24', 'node26']);
    expect(md.split('\n')).toEqual([
      '| figure | Node 24 | Node 26 | target |',
      '| --- | --- | --- | --- |',
      '| fast: skein a | 2.00 M tasks/s ✅ | 500.0 k tasks/s ❌ | ≥ 1M |',
      '| heap | 900 MiB ✅ |  | < 1 GiB |',
    ]);
  });
});
