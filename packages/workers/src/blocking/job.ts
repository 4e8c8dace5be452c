/**
 * One blocking job: the handle the caller gets ({@link BlockingJob}) and the record the
 * pool keeps ({@link JobRecord}).
 *
 * A job has two clocks. The *record* follows the pool's bookkeeping (in our queue, handed
 * to piscina, done), which decides what `cancel()` has to do. The *outcome* is what the
 * caller sees, which can settle earlier: a handed job cancelled before its thread claimed
 * it is reported cancelled at once, while its thread is still about to skip it.
 */
import { isAbsolute } from 'node:path';
import { pathToFileURL } from 'node:url';
import { typeError } from './errors.js';
import { JOB_RUNNING, type JobStateSlot } from './job_state.js';
import type { JobRequest } from './protocol.js';

/** Where a job is: waiting, running on a thread, or settled (and how). */
export type BlockingJobState = 'queued' | 'running' | 'finished' | 'cancelled';

/** A job submitted with `BlockingPool.run`. */
export interface BlockingJob<R> {
  /**
   * Settles with the function's (awaited) return value, or rejects with what it threw (a
   * rebuilt Error of the same class, message, stack and own properties), or with a
   * `BlockingPoolError` (`cancelled`, `terminated`, `spawnFailed`). Rejections for
   * cancellation (by `cancel()` or `close()`) are already marked handled.
   */
  readonly promise: Promise<R>;
  /**
   * Withdraw the job if it hasn't started: true means it will never run (`promise` rejects
   * with a `cancelled` BlockingPoolError). False means it already started or settled: it
   * runs to the end, like a Tokio blocking task whose JoinHandle was dropped, and `promise`
   * settles as usual.
   */
  cancel(): boolean;
  /** Where the job is now. */
  readonly state: BlockingJobState;
}

/** The pool's bookkeeping of one job. */
export interface JobRecord {
  readonly request: JobRequest;
  readonly slot: JobStateSlot;
  /** `queued` (our FIFO) → `handed` (to piscina) → `done`; or `queued` → `withdrawn`. */
  phase: 'queued' | 'handed' | 'withdrawn' | 'done';
  /** Whether `promise` has settled. */
  settled: boolean;
  /** What the caller sees once settled: `finished` or `cancelled`. */
  outcome: BlockingJobState;
  readonly promise: Promise<unknown>;
  /** Settle `promise` (first call wins), then call the pool's `onSettled`. */
  resolve(value: unknown): void;
  reject(err: unknown): void;
}

const noop = (): void => {};

/** A fresh record for `request`, whose settling calls `onSettled` once. */
export function createJobRecord(request: JobRequest, slot: JobStateSlot, onSettled: (rec: JobRecord) => void): JobRecord {
  let resolvePromise!: (value: unknown) => void;
  let rejectPromise!: (err: unknown) => void;
  const promise = new Promise<unknown>((res, rej) => { resolvePromise = res; rejectPromise = rej; });
  const settle = (fn: () => void): void => {
    if (rec.settled) return;
    rec.settled = true;
    if (rec.outcome !== 'cancelled') rec.outcome = 'finished';
    fn();
    onSettled(rec);
  };
  const rec: JobRecord = {
    request, slot, phase: 'queued', settled: false, outcome: 'queued', promise,
    resolve: (value) => settle(() => resolvePromise(value)),
    reject: (err) => settle(() => rejectPromise(err)),
  };
  return rec;
}

/** Settle `rec` as cancelled; nobody has to await that rejection. */
export function rejectCancelled(rec: JobRecord, err: Error): void {
  if (rec.settled) return;
  rec.outcome = 'cancelled';
  rec.promise.catch(noop);
  rec.reject(err);
}

/** The caller's view of `rec`. */
export function jobHandle<R>(rec: JobRecord, cancel: (rec: JobRecord) => boolean): BlockingJob<R> {
  return {
    promise: rec.promise as Promise<R>,
    cancel: () => cancel(rec),
    get state(): BlockingJobState {
      if (rec.settled) return rec.outcome;
      if (rec.phase === 'handed' && Atomics.load(rec.slot.states, rec.slot.index) === JOB_RUNNING) return 'running';
      return 'queued';
    },
  };
}

/** Accept `import.meta.url`-style URLs and absolute paths; throw a coded TypeError otherwise. */
export function normalizeModuleUrl(moduleUrl: unknown): string {
  if (typeof moduleUrl !== 'string' || moduleUrl === '') {
    throw typeError(`The "moduleUrl" argument must be a non-empty string. Received ${typeof moduleUrl}`);
  }
  if (isAbsolute(moduleUrl)) return pathToFileURL(moduleUrl).href;
  if (!URL.canParse(moduleUrl)) {
    throw typeError(`The "moduleUrl" argument must be a URL (e.g. import.meta.url) or an absolute path. Received ${moduleUrl}`, 'ERR_INVALID_URL');
  }
  return moduleUrl;
}
