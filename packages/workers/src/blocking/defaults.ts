/**
 * Defaults of the blocking pool, and why they differ from Tokio's.
 *
 * Tokio's blocking pool allows 512 OS threads: a parked native thread costs a stack and
 * little else, and starts in microseconds. A `spawnBlocking` thread in skein is a
 * `worker_threads` isolate: on the 2-core reference machine each one adds about 12 MB of
 * RSS and the first job on a fresh thread waits about 30-70 ms for it to boot (module
 * loader, piscina, the task module). Hundreds of those would exhaust memory long before
 * they helped, so the cap is small and scales with the cores.
 */
import { availableParallelism } from 'node:os';

/** Lower bound of the default cap: libuv's own thread pool has 4 threads for the same job. */
export const MIN_DEFAULT_BLOCKING_THREADS = 4;

/** Upper bound of the default cap: 16 isolates is about 200 MB of RSS at rest. */
export const MAX_DEFAULT_BLOCKING_THREADS = 16;

/**
 * The default cap for a machine with `parallelism` cores: `2 × parallelism`, at least 4 and
 * at most 16. Blocking work is mostly waiting (synchronous fs, `Atomics.wait`, sync
 * crypto on small inputs, native calls), so twice the cores keeps the CPUs busy while
 * some threads wait, as libuv's pool does; past 16 the memory cost outweighs the gain.
 */
export function defaultMaxBlockingThreads(parallelism: number = availableParallelism()): number {
  const doubled = Math.floor(parallelism) * 2;
  return Math.min(MAX_DEFAULT_BLOCKING_THREADS, Math.max(MIN_DEFAULT_BLOCKING_THREADS, doubled));
}

/**
 * The runtime's default `maxBlockingThreads` on this machine: `min(16, max(4, 2 ×
 * os.availableParallelism()))`, e.g. 4 on 2 cores, 8 on 4, 16 on 8 or more. See
 * {@link defaultMaxBlockingThreads} for the reasoning.
 */
export const DEFAULT_MAX_BLOCKING_THREADS: number = defaultMaxBlockingThreads();

/** Tokio's `thread_keep_alive` default: an idle blocking thread exits after 10 s. */
export const DEFAULT_THREAD_KEEP_ALIVE_MS = 10_000;
