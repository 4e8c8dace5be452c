/**
 * `runtime.metrics().worker(i)` for the multi-thread flavour: live reads of shared memory.
 *
 * Tokio's worker metrics are atomics each worker updates and any thread reads. Here the
 * deque counters (steals, overflows, depth) live in the local queue's own header, and the
 * rest in the worker's line of the shared metrics block, which the worker publishes as it
 * yields to its event loop and when it parks. Reading never messages a worker.
 */
import type { WorkerMetrics } from '@skein/core';
import { M_BUSY_MS, M_LOCAL_SCHEDULE, M_PARKS, M_POLLS, M_UNPARKS, T_LIFO, type SharedState } from '../scheduler/shared_state.js';

/** Live metrics of worker `i`. */
export function workerMetrics(sh: SharedState, i: number): WorkerMetrics {
  const m = sh.metrics;
  const q = sh.layout.localQueues[i]!;
  const at = (field: number): number => m[sh.metric(i, field)]!;
  return {
    get pollCount() { return at(M_POLLS); },
    get stealCount() { return q.stealCount(); },
    get stealOperations() { return q.stealOperations(); },
    get parkCount() { return at(M_PARKS); },
    get unparkCount() { return at(M_UNPARKS); },
    get busyMs() { return at(M_BUSY_MS); },
    get localQueueDepth() { return q.len() + (Atomics.load(sh.control, sh.threadWord(i, T_LIFO)) !== 0 ? 1 : 0); },
    get localScheduleCount() { return at(M_LOCAL_SCHEDULE); },
    get overflowCount() { return q.overflowCount(); },
    get meanPollTimeUs() { const p = at(M_POLLS); return p === 0 ? 0 : (at(M_BUSY_MS) * 1000) / p; },
  };
}
