/**
 * `runtime.metrics()`: Tokio's `RuntimeMetrics` (its `runtime/metrics/runtime.rs`). The main
 * thread's scheduler counters make worker 0 of a current-thread runtime; the worker and
 * blocking backends add theirs (`@skein/workers`' `runtime/metrics.ts` reads each worker's).
 *
 * Kept apart from the Runtime because it is a read-only view over counters others own: it
 * never changes the runtime, and the runtime never calls into it but to make it.
 */
import { rangeError } from '../errors/invalid_argument.js';
import { metricsToJSON, pollHistogram, type RuntimeMetrics, type WorkerMetrics } from '../metrics/runtime_metrics.js';
import type { BlockingBackend, MultiThreadBackend } from './backends.js';
import type { Scheduler } from './scheduler.js';

/** Where a runtime's figures come from; each is read when a metric is. */
export interface MetricsSources {
  /** The main thread's scheduler. */
  readonly scheduler: Scheduler;
  /** The worker threads, once the multi-thread flavour has started them. */
  readonly multi: () => MultiThreadBackend | undefined;
  /** The blocking pool, once the first `spawnBlocking` has made it. */
  readonly blocking: () => BlockingBackend | undefined;
  /** Tasks alive on the main thread. */
  readonly alive: () => number;
  /** Tasks spawned from the main thread (closures, and definitions and blocking calls). */
  readonly spawned: () => number;
}

/**
 * Live metrics of a runtime (`runtime.metrics()`): every getter reads the counters when
 * called, so one object can be kept and read again.
 */
export function runtimeMetrics(src: MetricsSources): RuntimeMetrics {
  const { scheduler, multi, blocking, alive, spawned } = src;
  const c = scheduler.counters;
  const mainWorker: WorkerMetrics = {
    get pollCount() {
      return c.pollCount;
    },
    stealCount: 0,
    stealOperations: 0,
    get parkCount() {
      return c.parkCount;
    },
    get unparkCount() {
      return c.unparkCount;
    },
    get busyMs() {
      return c.busyMs;
    },
    get localQueueDepth() {
      return scheduler.queueDepth;
    },
    get localScheduleCount() {
      return c.localScheduleCount;
    },
    overflowCount: 0,
    get meanPollTimeUs() {
      return c.pollCount === 0 ? 0 : (c.busyMs * 1000) / c.pollCount;
    },
    get eventLoopActiveMs() {
      return performance.eventLoopUtilization().active;
    },
    get eventLoopIdleMs() {
      return performance.eventLoopUtilization().idle;
    },
  };
  const metrics: RuntimeMetrics = {
    get numWorkers() {
      return multi()?.numWorkers ?? 1;
    },
    get numAliveTasks() {
      return alive() + (multi()?.numAliveTasks ?? 0);
    },
    get spawnedTasksCount() {
      return spawned() + (multi()?.spawnedTasksCount ?? 0);
    },
    get globalQueueDepth() {
      return multi()?.globalQueueDepth ?? 0;
    },
    get budgetForcedYieldCount() {
      return c.budgetForcedYieldCount + (multi()?.budgetForcedYieldCount ?? 0);
    },
    get numBlockingThreads() {
      return blocking()?.numThreads ?? 0;
    },
    get numIdleBlockingThreads() {
      return blocking()?.numIdleThreads ?? 0;
    },
    get blockingQueueDepth() {
      return blocking()?.queueDepth ?? 0;
    },
    worker(i: number): WorkerMetrics {
      const m = multi();
      if (m !== undefined) return m.worker(i);
      if (i !== 0) throw rangeError(`worker index ${i} is out of range: this runtime has 1 worker (index 0)`);
      return mainWorker;
    },
    pollTimeHistogram() {
      const m = multi();
      return pollHistogram(m === undefined ? [c.pollTimeNs] : [c.pollTimeNs, ...m.pollTimeHistograms]);
    },
    toJSON: () => metricsToJSON(metrics),
  };
  return metrics;
}
