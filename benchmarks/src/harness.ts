/**
 * The benchmark harness. A benchmark is a set of contenders doing the same work; the
 * harness runs them alternated (A B A B …) in one process so machine noise hits all of
 * them alike, takes the median of the rounds, and reports ratios against the named
 * baseline. Absolute numbers are printed too, but only ratios within one run are meant to
 * be compared.
 */
import { performance } from 'node:perf_hooks';

/** One side of a comparison: runs `ops` operations per call. */
export interface Contender {
  readonly name: string;
  readonly ops: number;
  /** Optional setup/teardown around all rounds (start a pool, build a runtime…). */
  setup?(): Promise<void> | void;
  teardown?(): Promise<void> | void;
  /**
   * One round. It may return the milliseconds its work took, when the round's wall time
   * would mislead: autocannon ends a run on its next one-second tick, not at the last
   * answer, so every HTTP round took a whole number of seconds.
   */
  // biome-ignore lint/suspicious/noConfusingVoidType: most rounds are `async () => {…}`, whose Promise<void> `undefined` would reject
  run(): Promise<void | number> | void | number;
}

/** A benchmark: the contenders and which one is the reference. */
export interface Bench {
  readonly name: string;
  readonly description: string;
  readonly unit: string;
  /** Contender names; the first is skein, `baseline` names the reference. */
  readonly contenders: readonly Contender[];
  readonly baseline: string;
  /**
   * Optional target, checked by the report (not by tests): `value` in `unit` ('min', the
   * default) or as a ratio to the baseline ('ratio-min'), for `contender` (default: the
   * first contender whose name starts with "skein").
   */
  readonly target?: {
    readonly value: number;
    readonly note: string;
    readonly kind?: 'min' | 'ratio-min';
    readonly contender?: string;
  };
}

/** One contender's figures. */
export interface Figure {
  readonly name: string;
  readonly opsPerSec: number;
  readonly medianMs: number;
  readonly rounds: number;
  /** opsPerSec / the baseline's opsPerSec. */
  readonly ratio: number;
}

/** One benchmark's result. */
export interface BenchResult {
  readonly name: string;
  readonly description: string;
  readonly unit: string;
  readonly baseline: string;
  readonly figures: readonly Figure[];
  readonly target?: Bench['target'];
  readonly extra?: Record<string, number | string>;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** Run a benchmark: warm-up, then `rounds` alternated rounds. */
export async function runBench(b: Bench, rounds: number, log: (line: string) => void): Promise<BenchResult> {
  const times = new Map<string, number[]>();
  for (const c of b.contenders) {
    await c.setup?.();
    await c.run();
    times.set(c.name, []);
  }
  for (let r = 0; r < rounds; r++) {
    const order = r % 2 === 0 ? b.contenders : [...b.contenders].reverse();
    for (const c of order) {
      const t0 = performance.now();
      const took = await c.run();
      times.get(c.name)!.push(typeof took === 'number' ? took : performance.now() - t0);
    }
  }
  for (const c of b.contenders) await c.teardown?.();
  const base = b.contenders.find((c) => c.name === b.baseline)!;
  const baseOps = base.ops / (median(times.get(base.name)!) / 1000);
  const figures = b.contenders.map((c) => {
    const ms = median(times.get(c.name)!);
    const opsPerSec = c.ops / (ms / 1000);
    return { name: c.name, opsPerSec, medianMs: ms, rounds, ratio: opsPerSec / baseOps };
  });
  for (const f of figures)
    log(
      `  ${b.name.padEnd(22)} ${f.name.padEnd(26)} ${fmt(f.opsPerSec).padStart(10)} ${b.unit}  (${f.ratio.toFixed(2)}× ${b.baseline})`,
    );
  return { name: b.name, description: b.description, unit: b.unit, baseline: b.baseline, figures, target: b.target };
}

/** 1234567 → "1.23 M". */
export function fmt(n: number): string {
  if (n >= 1e6) return `${(n / 1e6).toFixed(2)} M`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(1)} k`;
  return n.toFixed(1);
}
