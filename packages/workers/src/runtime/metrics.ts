/**
 * `runtime.metrics().worker(i)` for the multi-thread flavour: live reads of shared memory.
 *
 * Tokio's worker metrics are atomics each worker updates and any thread reads. Here the
 * deque counters (steals, overflows, depth) live in the local queue's own header, and the
 * rest in the worker's line of the shared metrics block, which the worker publishes as it
 * yields to its event loop and when it parks. Reading never messages a worker.
 */
import { rangeError, type RuntimeMetrics, type WorkerMetrics } from '@skein/core';
import { metricsToJSON, pollHistogram, type SchedulerCounters } from '@skein/core/internal';
import {
  M_BUDGET_YIELDS,
  M_BUSY_MS,
  M_FINISHED,
  M_LOCAL_SCHEDULE,
  M_LOOP_ACTIVE_MS,
  M_LOOP_IDLE_MS,
  M_PARKS,
  M_POLLS,
  M_SPAWNED,
  M_UNPARKS,
  T_LIFO,
  type SharedState,
} from '../scheduler/shared_state.js';

/** Live metrics of worker `i`. */
export function workerMetrics(sh: SharedState, i: number): WorkerMetrics {
  const m = sh.metrics;
  const q = sh.layout.localQueues[i]!;
  const at = (field: number): number => m[sh.metric(i, field)]!;
  return {
    get pollCount() {
      return at(M_POLLS);
    },
    get stealCount() {
      return q.stealCount();
    },
    get stealOperations() {
      return q.stealOperations();
    },
    get parkCount() {
      return at(M_PARKS);
    },
    get unparkCount() {
      return at(M_UNPARKS);
    },
    get busyMs() {
      return at(M_BUSY_MS);
    },
    get localQueueDepth() {
      return q.len() + (Atomics.load(sh.control, sh.threadWord(i, T_LIFO)) !== 0 ? 1 : 0);
    },
    get localScheduleCount() {
      return at(M_LOCAL_SCHEDULE);
    },
    get overflowCount() {
      return q.overflowCount();
    },
    get meanPollTimeUs() {
      const p = at(M_POLLS);
      return p === 0 ? 0 : (at(M_BUSY_MS) * 1000) / p;
    },
    get eventLoopActiveMs() {
      return at(M_LOOP_ACTIVE_MS);
    },
    get eventLoopIdleMs() {
      return at(M_LOOP_IDLE_MS);
    },
  };
}

/** `field` summed over every thread's metrics line (workers and the main thread). */
function sumAll(sh: SharedState, field: number): number {
  let n = 0;
  for (let t = 0; t <= sh.workers; t++) n += sh.metrics[sh.metric(t, field)]!;
  return n;
}

/**
 * `Handle.current().metrics()` inside a task on worker `me`: the whole runtime as far as
 * shared memory knows it, read synchronously (Tokio's `Handle::metrics()` works on any
 * thread). What only the main thread holds is left out, because a synchronous getter can't
 * ask it (see the package README):
 * - `numAliveTasks` / `spawnedTasksCount` count `task()` spawns from every thread and
 *   closures spawned on workers; closures on the main thread and blocking-pool jobs are
 *   counted by the main thread's `Runtime` only.
 * - `globalQueueDepth` is the inject queue; spawns the main thread still batches are not in it.
 * - `budgetForcedYieldCount` sums the workers (this one live, the others as last published).
 * - the blocking-pool figures are 0: the pool lives on the main thread.
 * - `pollTimeHistogram()` is this worker's own scheduler's histogram.
 */
export function workerViewMetrics(sh: SharedState, me: number, own: SchedulerCounters): RuntimeMetrics {
  const workers: WorkerMetrics[] = [];
  for (let i = 0; i < sh.workers; i++) workers.push(workerMetrics(sh, i));
  const metrics: RuntimeMetrics = {
    get numWorkers() {
      return sh.workers;
    },
    get numAliveTasks() {
      return sumAll(sh, M_SPAWNED) - sumAll(sh, M_FINISHED);
    },
    get spawnedTasksCount() {
      return sumAll(sh, M_SPAWNED);
    },
    get globalQueueDepth() {
      return sh.layout.inject.len();
    },
    get budgetForcedYieldCount() {
      let n = own.budgetForcedYieldCount;
      for (let i = 0; i < sh.workers; i++) if (i !== me) n += sh.metrics[sh.metric(i, M_BUDGET_YIELDS)]!;
      return n;
    },
    numBlockingThreads: 0,
    numIdleBlockingThreads: 0,
    blockingQueueDepth: 0,
    worker(i: number): WorkerMetrics {
      const m = workers[i];
      if (m === undefined)
        throw rangeError(
          `worker index ${i} is out of range: this runtime has ${sh.workers} worker${sh.workers === 1 ? '' : 's'} (0..${sh.workers - 1})`,
        );
      return m;
    },
    pollTimeHistogram() {
      return pollHistogram([own.pollTimeNs]);
    },
    toJSON: () => metricsToJSON(metrics),
  };
  return metrics;
}
