/**
 * The messages between the pool and its threads (piscina task payloads and results).
 *
 * Kept in one place so the main-thread side (`pool.ts`) and the thread side
 * (`pool_worker.ts`) can't drift. Payloads are structured-cloned by piscina; the job's
 * state word travels as an Int32Array over a SharedArrayBuffer, which postMessage shares
 * instead of copying. Requests are kept small: their structured clone is paid on the main
 * thread for every job.
 */
import type { EncodedThrown } from '../codec/error_codec.js';

/** Run export `exportName` of module `url` with `args`, unless the state word says cancelled. */
export interface JobRequest {
  readonly kind: 'job';
  readonly url: string;
  readonly exportName: string;
  readonly args: readonly unknown[];
  /**
   * The chunk holding this job's state word, when it isn't the pool's primary chunk
   * (`PoolWorkerData.states`, which threads already have). See `job_state.ts`.
   */
  readonly states?: Int32Array;
  /** Index of the job's state word in its chunk. */
  readonly index: number;
}

/** A no-op that makes piscina start a thread when every thread died with jobs still queued. */
export interface KickRequest {
  readonly kind: 'kick';
}

/** What the pool posts to a thread. */
export type PoolRequest = JobRequest | KickRequest;

/** What a thread answers: the value, the encoded thrown value, or "skipped" (cancelled / kick). */
export type JobResponse =
  /** `handles`: `value` holds shared handles in their posted form (see handle_codec.toPostable). */
  | { readonly t: 'ok'; readonly value: unknown; readonly handles?: true }
  | { readonly t: 'err'; readonly error: EncodedThrown }
  | { readonly t: 'skip' };

/** `workerData` of every pool thread. */
export interface PoolWorkerData {
  /** tsx's ESM API as found from the pool's package or the working directory, if it was. */
  readonly tsxApiUrl: string | undefined;
  /** Niceness to add to the thread (see thread_priority.ts). */
  readonly nice: number;
  /** The pool's primary chunk of job-state words (see `job_state.ts`). */
  readonly states: Int32Array;
}
