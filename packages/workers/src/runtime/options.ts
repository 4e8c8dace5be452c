/**
 * Sizing and thread options of the multi-thread flavour that the Builder doesn't carry.
 *
 * The Builder covers Tokio's knobs; these are Node's own, read from the environment when a
 * runtime is built (documented in the package README):
 * - `SKEIN_WORKER_RESOURCE_LIMITS`: JSON for `new Worker(..., { resourceLimits })`, e.g.
 *   `{"maxOldGenerationSizeMb":64}`. A worker that exceeds it dies with out-of-memory and
 *   is replaced like any crashed worker.
 * - `SKEIN_MAIN_TASK_SLOTS` / `SKEIN_WORKER_TASK_SLOTS`: task slots per spawning thread
 *   (tasks it can have in flight before further spawns wait; default 65536 / 16384).
 * - `SKEIN_ARENA_BYTES`: shared overflow arena for large arguments/results (16 MiB).
 * - `SKEIN_TASK_TYPES`: distinct task() definitions a runtime can run (4096).
 */
import type { ResourceLimits } from 'node:worker_threads';
import type { SharedSizes } from '../scheduler/shared_state.js';

function intEnv(name: string, fallback: number, min: number, max: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) {
    const err = new RangeError(`${name} must be an integer in [${min}, ${max}]. Received ${JSON.stringify(raw)}`) as RangeError & { code: string };
    err.code = 'ERR_OUT_OF_RANGE';
    throw err;
  }
  return n;
}

/** Shared-memory sizes for `workers` workers. */
export function sharedSizes(workers: number): SharedSizes {
  const workerSlots = intEnv('SKEIN_WORKER_TASK_SLOTS', 16384, 16, 1 << 20);
  const mainSlots = intEnv('SKEIN_MAIN_TASK_SLOTS', 65536, 16, 1 << 22);
  if (mainSlots + workers * workerSlots >= 1 << 30) {
    throw new RangeError('task slots: SKEIN_MAIN_TASK_SLOTS + workers * SKEIN_WORKER_TASK_SLOTS must stay below 2^30');
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
    const err = new TypeError(`SKEIN_WORKER_RESOURCE_LIMITS must be a JSON object like {"maxOldGenerationSizeMb":64}. Received ${raw}`) as TypeError & { code: string };
    err.code = 'ERR_INVALID_ARG_VALUE';
    throw err;
  }
  return parsed as ResourceLimits;
}
