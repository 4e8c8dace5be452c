/**
 * A small built-in load generator for the examples: `connections` loops of keep-alive
 * fetches for `durationMs`, latencies in a native HDR histogram. (The benchmarks use
 * autocannon; this keeps the examples dependency-free.)
 */
import { createHistogram } from 'node:perf_hooks';

export interface LoadResult {
  requests: number;
  errors: number;
  rps: number;
  p50Ms: number;
  p99Ms: number;
}

/** `onRequest(ns, ok)` sees every request as it completes (the demo's live line). */
export interface LoadOptions {
  onRequest?(ns: number, ok: boolean): void;
}

export async function load(
  url: string | (() => string),
  connections: number,
  durationMs: number,
  opts: LoadOptions = {},
): Promise<LoadResult> {
  const hist = createHistogram();
  const end = performance.now() + durationMs;
  let requests = 0;
  let errors = 0;
  const next = typeof url === 'string' ? () => url : url;
  await Promise.all(
    Array.from({ length: connections }, async () => {
      while (performance.now() < end) {
        const t0 = process.hrtime.bigint();
        let ok = false;
        try {
          const res = await fetch(next());
          await res.arrayBuffer();
          ok = res.status < 500;
        } catch {
          // Counted below: a refused or reset connection is an error, as a 5xx is.
        }
        const ns = Number(process.hrtime.bigint() - t0) || 1;
        if (!ok) errors++;
        hist.record(ns);
        opts.onRequest?.(ns, ok);
        requests++;
      }
    }),
  );
  return {
    requests,
    errors,
    rps: Math.round(requests / (durationMs / 1000)),
    p50Ms: hist.percentile(50) / 1e6,
    p99Ms: hist.percentile(99) / 1e6,
  };
}
