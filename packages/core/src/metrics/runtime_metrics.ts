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
}

/** The poll-time histogram; values are microseconds. */
export interface PollTimeHistogram {
  percentile(p: number): number;
  readonly count: number;
  readonly min: number;
  readonly max: number;
  readonly mean: number;
}

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
}

/** A PollTimeHistogram over native nanosecond histograms, merged. */
export function pollHistogram(hs: readonly RecordableHistogram[]): PollTimeHistogram {
  const merged = hs.length === 1 ? hs[0]! : mergeAll(hs);
  return {
    percentile: (p: number) => (merged.count === 0 ? 0 : merged.percentile(p) / 1000),
    get count() { return merged.count; },
    get min() { return merged.count === 0 ? 0 : merged.min / 1000; },
    get max() { return merged.count === 0 ? 0 : merged.max / 1000; },
    get mean() { return merged.count === 0 ? 0 : merged.mean / 1000; },
  };
}

function mergeAll(hs: readonly RecordableHistogram[]): RecordableHistogram {
  // Copy into a fresh histogram so the per-worker sources keep counting on their own.
  const h = createHistogram();
  for (const x of hs) h.add(x);
  return h;
}
