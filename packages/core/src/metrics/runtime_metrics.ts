/**
 * Runtime metrics, Tokio's `RuntimeMetrics` mapped to TypeScript. Reading a metric reads
 * the live counter: hold on to the object and read it again later for a fresh value.
 */
import { createHistogram, type RecordableHistogram } from 'node:perf_hooks';

/** Counters of one worker (the main thread is worker 0 in the current-thread flavour). */
export interface WorkerMetrics {
  /** Tasks polled: task starts plus runtime wakes. */
  readonly pollCount: number;
  /** Tasks stolen from other workers. */
  readonly stealCount: number;
  /** Steal operations (each takes up to half a victim's queue). */
  readonly stealOperations: number;
  /** Times the worker ran out of work and parked. */
  readonly parkCount: number;
  /** Times it was woken from park. */
  readonly unparkCount: number;
  /** Milliseconds spent running tasks. */
  readonly busyMs: number;
  /** Runnables in its local queue now. */
  readonly localQueueDepth: number;
  /** Tasks scheduled onto its local queue. */
  readonly localScheduleCount: number;
  /** Times its local queue overflowed into the global queue. */
  readonly overflowCount: number;
  /** busyMs / pollCount, in microseconds. */
  readonly meanPollTimeUs: number;
  /**
   * Milliseconds its thread's event loop was active, and idle, since the thread started
   * (`performance.eventLoopUtilization()` of that thread): the utilisation over a window
   * is Δactive / (Δactive + Δidle). A worker publishes them when it yields to its event
   * loop or parks, so a worker in a long poll shows the figures from before it.
   */
  readonly eventLoopActiveMs: number;
  readonly eventLoopIdleMs: number;
}

/**
 * The poll-time histogram; values are microseconds. A sample is a batch of polls (the
 * polls one drain of a run queue ran), valued at the batch's mean: timing every poll would
 * cost more than a small task's poll.
 */
export interface PollTimeHistogram {
  percentile(p: number): number;
  readonly count: number;
  readonly min: number;
  readonly max: number;
  readonly mean: number;
  /** For `JSON.stringify`: count, min, max, mean and the {@link JSON_PERCENTILES}. */
  toJSON(): PollTimeHistogramJSON;
}

/** The percentiles a histogram's JSON form lists. */
export const JSON_PERCENTILES: readonly number[] = [50, 90, 99, 99.9];

/** `JSON.stringify(histogram)`: microseconds, percentiles keyed `p50`, `p90`, `p99`, `p99.9`. */
export interface PollTimeHistogramJSON {
  count: number;
  min: number;
  max: number;
  mean: number;
  percentiles: Record<string, number>;
}

/** `JSON.stringify(runtime.metrics())`: every counter, every worker, the histogram. */
export interface RuntimeMetricsJSON {
  numWorkers: number;
  numAliveTasks: number;
  spawnedTasksCount: number;
  globalQueueDepth: number;
  budgetForcedYieldCount: number;
  numBlockingThreads: number;
  numIdleBlockingThreads: number;
  blockingQueueDepth: number;
  workers: WorkerMetricsJSON[];
  pollTimeHistogram: PollTimeHistogramJSON;
}

/** One worker's counters, as plain data. */
export type WorkerMetricsJSON = { -readonly [K in keyof WorkerMetrics]: WorkerMetrics[K] };

/** Everything `runtime.metrics()` reports. */
export interface RuntimeMetrics {
  readonly numWorkers: number;
  /** Spawned tasks without an outcome yet (the blockOn root is not counted). */
  readonly numAliveTasks: number;
  readonly spawnedTasksCount: number;
  readonly globalQueueDepth: number;
  readonly budgetForcedYieldCount: number;
  readonly numBlockingThreads: number;
  readonly numIdleBlockingThreads: number;
  readonly blockingQueueDepth: number;
  worker(i: number): WorkerMetrics;
  pollTimeHistogram(): PollTimeHistogram;
  /**
   * For `JSON.stringify(runtime.metrics())` (a server's metrics endpoint): the counters
   * read now, each worker's counters, and the poll-time histogram's percentiles.
   */
  toJSON(): RuntimeMetricsJSON;
}

const WORKER_FIELDS = [
  'pollCount',
  'stealCount',
  'stealOperations',
  'parkCount',
  'unparkCount',
  'busyMs',
  'localQueueDepth',
  'localScheduleCount',
  'overflowCount',
  'meanPollTimeUs',
  'eventLoopActiveMs',
  'eventLoopIdleMs',
] as const satisfies readonly (keyof WorkerMetrics)[];

/** {@link RuntimeMetrics.toJSON} over the getters of `m` (every implementation shares it). */
export function metricsToJSON(m: Omit<RuntimeMetrics, 'toJSON'>): RuntimeMetricsJSON {
  const workers: WorkerMetricsJSON[] = [];
  for (let i = 0; i < m.numWorkers; i++) {
    const w = m.worker(i);
    const out = {} as WorkerMetricsJSON;
    for (const f of WORKER_FIELDS) out[f] = w[f];
    workers.push(out);
  }
  return {
    numWorkers: m.numWorkers,
    numAliveTasks: m.numAliveTasks,
    spawnedTasksCount: m.spawnedTasksCount,
    globalQueueDepth: m.globalQueueDepth,
    budgetForcedYieldCount: m.budgetForcedYieldCount,
    numBlockingThreads: m.numBlockingThreads,
    numIdleBlockingThreads: m.numIdleBlockingThreads,
    blockingQueueDepth: m.blockingQueueDepth,
    workers,
    pollTimeHistogram: m.pollTimeHistogram().toJSON(),
  };
}

/** A PollTimeHistogram over native nanosecond histograms, merged. */
export function pollHistogram(hs: readonly RecordableHistogram[]): PollTimeHistogram {
  const merged = hs.length === 1 ? hs[0]! : mergeAll(hs);
  const h: PollTimeHistogram = {
    percentile: (p: number) => (merged.count === 0 ? 0 : merged.percentile(p) / 1000),
    get count() {
      return merged.count;
    },
    get min() {
      return merged.count === 0 ? 0 : merged.min / 1000;
    },
    get max() {
      return merged.count === 0 ? 0 : merged.max / 1000;
    },
    get mean() {
      return merged.count === 0 ? 0 : merged.mean / 1000;
    },
    toJSON(): PollTimeHistogramJSON {
      const percentiles: Record<string, number> = {};
      for (const p of JSON_PERCENTILES) percentiles[`p${p}`] = h.percentile(p);
      return { count: h.count, min: h.min, max: h.max, mean: h.mean, percentiles };
    },
  };
  return h;
}

function mergeAll(hs: readonly RecordableHistogram[]): RecordableHistogram {
  // Copy into a fresh histogram so the per-worker sources keep counting on their own. The
  // workers' histograms are shared with the threads recording into them (postMessage
  // copies share the native histogram): `add` reads them as they are now.
  const h = createHistogram();
  for (const x of hs) h.add(x);
  return h;
}
