/**
 * The Prometheus exporter: skein_* metrics on a prom-client Registry.
 *
 * prom-client aggregates figures only across `cluster` processes, and a skein runtime's
 * workers are threads; so every metric is read on scrape from `runtime.metrics()`, which
 * merges what each worker thread publishes in shared memory. prom-client is an optional
 * peer dependency, loaded when this is called.
 */
import { createRequire } from 'node:module';
import { SkeinError, type RuntimeMetrics, type WorkerMetrics } from '@skein/core';
import type * as PromClient from 'prom-client';
import { BUCKET_BOUNDS_US, cumulativeCounts, summarize } from './poll_times.js';
import type { ConsoleRuntime } from './snapshot.js';

/** prom-client isn't installed next to @skein/console. */
export class PromClientMissingError extends SkeinError {
  constructor(cause: unknown) {
    super(
      'ERR_SKEIN_PROM_CLIENT_MISSING',
      'prometheus() needs the prom-client package: `npm install prom-client` next to @skein/console',
      { cause },
    );
  }
}

type Kind = 'gauge' | 'counter';

/** The runtime-wide metrics: name, help, type, and how to read each from the metrics. */
const RUNTIME: readonly [string, string, Kind, (m: RuntimeMetrics) => number][] = [
  ['skein_alive_tasks', 'Spawned tasks that have not finished', 'gauge', (m) => m.numAliveTasks],
  ['skein_spawned_tasks_total', 'Tasks spawned since the runtime started', 'counter', (m) => m.spawnedTasksCount],
  ['skein_global_queue_depth', 'Tasks in the global (injection) queue', 'gauge', (m) => m.globalQueueDepth],
  [
    'skein_budget_forced_yields_total',
    'Times a task was made to yield after using up its budget',
    'counter',
    (m) => m.budgetForcedYieldCount,
  ],
  ['skein_blocking_threads', 'Threads in the blocking pool', 'gauge', (m) => m.numBlockingThreads],
  ['skein_blocking_idle_threads', 'Idle threads in the blocking pool', 'gauge', (m) => m.numIdleBlockingThreads],
  ['skein_blocking_queue_depth', 'Jobs waiting for a blocking-pool thread', 'gauge', (m) => m.blockingQueueDepth],
];

/** The per-worker metrics (label `worker`). */
const PER_WORKER: readonly [string, string, Kind, (w: WorkerMetrics) => number][] = [
  ['skein_worker_polls_total', 'Task polls on the worker', 'counter', (w) => w.pollCount],
  ['skein_worker_busy_seconds_total', 'Time the worker spent running tasks', 'counter', (w) => w.busyMs / 1000],
  ['skein_worker_steals_total', 'Tasks the worker stole from others', 'counter', (w) => w.stealCount],
  ['skein_worker_parks_total', 'Times the worker ran out of work and parked', 'counter', (w) => w.parkCount],
  ['skein_worker_local_queue_depth', "Tasks in the worker's local queue", 'gauge', (w) => w.localQueueDepth],
  // Utilisation over a scrape interval is rate(active) / (rate(active) + rate(idle)).
  [
    'skein_worker_event_loop_active_seconds_total',
    "Time the worker thread's event loop was active",
    'counter',
    (w) => w.eventLoopActiveMs / 1000,
  ],
  [
    'skein_worker_event_loop_idle_seconds_total',
    "Time the worker thread's event loop was idle",
    'counter',
    (w) => w.eventLoopIdleMs / 1000,
  ],
];

const POLL_TIME = 'skein_poll_time_seconds';

/**
 * Register skein's metrics on `registry`, read from `runtime` at each scrape:
 * skein_alive_tasks, skein_spawned_tasks_total, skein_global_queue_depth,
 * skein_budget_forced_yields_total, skein_blocking_threads, skein_blocking_idle_threads,
 * skein_blocking_queue_depth, per worker (label `worker`: its index, or 'main' on the
 * current-thread flavour) skein_worker_polls_total, skein_worker_busy_seconds_total,
 * skein_worker_steals_total, skein_worker_parks_total, skein_worker_local_queue_depth,
 * skein_worker_event_loop_active_seconds_total, skein_worker_event_loop_idle_seconds_total,
 * and the histogram skein_poll_time_seconds.
 *
 * The histogram's buckets are read off the runtime's poll-time percentiles (its native
 * histograms can't be shared between threads), so bucket counts are interpolated where
 * several threads' samples mix.
 *
 * Errors: PromClientMissingError without prom-client; SkeinError
 * `ERR_SKEIN_METRIC_REGISTERED` if a skein_* metric is already on the registry (then none
 * is added).
 */
export function prometheus(runtime: ConsoleRuntime, registry: PromClient.Registry): void {
  const client = loadPromClient();
  const taken = [...RUNTIME, ...PER_WORKER]
    .map(([name]) => name)
    .concat(POLL_TIME)
    .filter((n) => registry.getSingleMetric(n) !== undefined);
  if (taken.length > 0) {
    throw new SkeinError(
      'ERR_SKEIN_METRIC_REGISTERED',
      `${taken.join(', ')} already on this registry: call prometheus() once per registry`,
    );
  }
  const registers = [registry];
  const label = (i: number) => (runtime.flavor === 'current_thread' ? 'main' : String(i));
  for (const [name, help, kind, read] of RUNTIME) {
    if (kind === 'gauge')
      new client.Gauge({
        name,
        help,
        registers,
        collect() {
          this.set(read(runtime.metrics()));
        },
      });
    // A counter can't be set: reset it, then add the runtime's running total.
    else
      new client.Counter({
        name,
        help,
        registers,
        collect() {
          this.reset();
          this.inc(read(runtime.metrics()));
        },
      });
  }
  for (const [name, help, kind, read] of PER_WORKER) {
    const each = (set: (labels: { worker: string }, v: number) => void): void => {
      const m = runtime.metrics();
      for (let i = 0; i < m.numWorkers; i++) set({ worker: label(i) }, read(m.worker(i)));
    };
    const labelNames = ['worker'];
    if (kind === 'gauge')
      new client.Gauge({
        name,
        help,
        labelNames,
        registers,
        collect() {
          this.reset();
          each((l, v) => this.set(l, v));
        },
      });
    else
      new client.Counter({
        name,
        help,
        labelNames,
        registers,
        collect() {
          this.reset();
          each((l, v) => this.inc(l, v));
        },
      });
  }
  registry.registerMetric(pollTimeMetric(runtime));
}

/**
 * skein_poll_time_seconds as a metric object of prom-client's own shape. prom-client's
 * Histogram can only `observe()` one sample at a time, and the samples live in native
 * histograms on other threads: the registry only needs `get()` (and `reset()`), so this
 * answers those from the runtime's merged histogram.
 */
function pollTimeMetric(runtime: ConsoleRuntime): PromClient.Metric {
  const name = POLL_TIME;
  const help = 'Time each task poll took';
  const metric = {
    name,
    help,
    type: 'histogram',
    aggregator: 'sum',
    async get() {
      const t = summarize(runtime.metrics().pollTimeHistogram());
      const cum = cumulativeCounts(t);
      const values: { metricName: string; labels: Record<string, string | number>; value: number }[] =
        BUCKET_BOUNDS_US.map((b, i) => ({
          metricName: `${name}_bucket`,
          labels: { le: b / 1e6 },
          value: cum[i]!,
        }));
      values.push({ metricName: `${name}_bucket`, labels: { le: '+Inf' }, value: t.count });
      return {
        name,
        help,
        type: 'histogram',
        aggregator: 'sum',
        values: [
          ...values,
          { metricName: `${name}_sum`, labels: {}, value: (t.meanUs * t.count) / 1e6 },
          { metricName: `${name}_count`, labels: {}, value: t.count },
        ],
      };
    },
    reset() {},
  };
  return metric as unknown as PromClient.Metric;
}

function loadPromClient(): typeof PromClient {
  try {
    return createRequire(import.meta.url)('prom-client') as typeof PromClient;
  } catch (err) {
    // Only prom-client itself missing: a broken install of one of its own dependencies says so.
    const e = err as { code?: string; message?: string };
    if (e.code === 'MODULE_NOT_FOUND' && String(e.message).includes("'prom-client'"))
      throw new PromClientMissingError(err);
    throw err;
  }
}
