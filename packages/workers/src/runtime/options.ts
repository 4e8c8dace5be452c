/**
 * Sizing and thread options of the multi-thread flavour that the Builder doesn't carry.
 *
 * The Builder covers Tokio's knobs; these are Node's own, read from the environment when a
 * runtime is built (documented in the package README):
 * - `SKEIN_WORKER_RESOURCE_LIMITS`: JSON for `new Worker(..., { resourceLimits })`, e.g.
 *   `{"maxOldGenerationSizeMb":64}`. A worker that exceeds it dies with out-of-memory and
 *   is replaced like any crashed worker.
 * - `SKEIN_MAIN_TASK_SLOTS` / `SKEIN_WORKER_TASK_SLOTS`: task slots per spawning thread
 *   (tasks it can have in flight before further spawns wait; default 65536 / 4096).
 * - `SKEIN_ARENA_BYTES`: shared overflow arena for large arguments/results (16 MiB).
 * - `SKEIN_TASK_TYPES`: distinct task() definitions a runtime can run (4096).
 */
import { totalmem } from 'node:os';
import type { ResourceLimits } from 'node:worker_threads';
import { rangeError, typeError } from '@skein/core';
import { SharedState, type SharedSizes } from '../scheduler/shared_state.js';

/** Most worker threads one runtime can have (the shared idle state's limit). */
export const MAX_WORKER_THREADS = 1024;

/**
 * What a worker thread costs beyond shared memory: its isolate, heap and the modules it
 * loads. Measured at about 20 MiB of RSS per runtime worker on Node 24; the lower figure
 * here only rejects counts that can't fit, not ones that would be tight.
 */
const WORKER_THREAD_BYTES = 16 << 20;

const mib = (bytes: number): string => `${Math.ceil(bytes / 2 ** 20)} MiB`;

/**
 * Throw unless this machine can hold `sizes.workers` worker threads: the runtime's shared
 * memory plus {@link WORKER_THREAD_BYTES} per thread must fit in its RAM, and the count
 * must be at most {@link MAX_WORKER_THREADS}.
 *
 * Errors: RangeError (`ERR_OUT_OF_RANGE`) naming the limit.
 */
export function assertWorkersFit(sizes: SharedSizes, ram = totalmem()): void {
  const n = sizes.workers;
  if (n > MAX_WORKER_THREADS) {
    throw rangeError(
      `workerThreads(${n}) is more than a runtime can have: at most ${MAX_WORKER_THREADS} worker threads`,
    );
  }
  const need = (workers: number): number => SharedState.bytesFor({ ...sizes, workers }) + workers * WORKER_THREAD_BYTES;
  if (need(n) <= ram) return;
  // The most that fit: `need` grows with the count (in steps, as the inject queue doubles).
  let most = 0;
  let hi = n - 1;
  while (most < hi) {
    const mid = (most + hi + 1) >>> 1;
    if (need(mid) <= ram) most = mid;
    else hi = mid - 1;
  }
  const shared = SharedState.bytesFor(sizes);
  throw rangeError(
    `workerThreads(${n}) needs about ${mib(need(n))} (${mib(shared)} of shared memory and ${mib(WORKER_THREAD_BYTES)} per thread), ` +
      `more than this machine's ${mib(ram)} of RAM: at most ${most} worker threads fit with these sizes ` +
      '(SKEIN_WORKER_TASK_SLOTS, SKEIN_MAIN_TASK_SLOTS and SKEIN_ARENA_BYTES shrink the shared part)',
  );
}

/**
 * Allocate the shared memory for `sizes`, turning V8's bare allocation failure into a
 * RangeError (`ERR_OUT_OF_RANGE`) that says how much was asked for.
 */
export function createShared(sizes: SharedSizes, channelName: string): ReturnType<typeof SharedState.create> {
  try {
    return SharedState.create(sizes, channelName);
  } catch (err) {
    if (!(err instanceof RangeError) || (err as { code?: unknown }).code !== undefined) throw err;
    const e = rangeError(
      `could not allocate ${mib(SharedState.bytesFor(sizes))} of shared memory for ${sizes.workers} worker threads (${err.message}): ` +
        'use fewer workers or smaller SKEIN_WORKER_TASK_SLOTS / SKEIN_MAIN_TASK_SLOTS / SKEIN_ARENA_BYTES',
    );
    e.cause = err;
    throw e;
  }
}

function intEnv(name: string, fallback: number, min: number, max: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw rangeError(`${name} must be an integer in [${min}, ${max}]. Received ${JSON.stringify(raw)}`);
  }
  return n;
}

/** Shared-memory sizes for `workers` workers. */
export function sharedSizes(workers: number): SharedSizes {
  const workerSlots = intEnv('SKEIN_WORKER_TASK_SLOTS', 4096, 16, 1 << 20);
  const mainSlots = intEnv('SKEIN_MAIN_TASK_SLOTS', 65536, 16, 1 << 22);
  // Every slot must fit in the inject queue, whose capacity is at most 2^28.
  if (mainSlots + workers * workerSlots >= 1 << 28) {
    throw rangeError(
      `task slots: SKEIN_MAIN_TASK_SLOTS + workers * SKEIN_WORKER_TASK_SLOTS must stay below 2^28 (${mainSlots} + ${workers} × ${workerSlots})`,
    );
  }
  return {
    workers,
    mainSlots,
    workerSlots,
    arenaBytes: intEnv('SKEIN_ARENA_BYTES', 16 << 20, 4096, 1 << 30),
    taskTypes: intEnv('SKEIN_TASK_TYPES', 4096, 16, 1 << 20),
  };
}

/** `resourceLimits` for worker threads, from SKEIN_WORKER_RESOURCE_LIMITS. */
export function workerResourceLimits(): ResourceLimits | undefined {
  const raw = process.env.SKEIN_WORKER_RESOURCE_LIMITS;
  if (raw === undefined || raw === '') return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    parsed = undefined;
  }
  if (parsed === null || typeof parsed !== 'object') {
    throw typeError(
      `SKEIN_WORKER_RESOURCE_LIMITS must be a JSON object like {"maxOldGenerationSizeMb":64}. Received ${raw}`,
      'ERR_INVALID_ARG_VALUE',
    );
  }
  return parsed as ResourceLimits;
}
