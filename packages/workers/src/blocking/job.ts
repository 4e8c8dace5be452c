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
import { typeError } from '@skein/core';
import { dropPosted, revivePosted } from '../sync/handle_codec.js';
import '../sync/revive.js'; // dropArgs rebuilds whatever handle class the arguments carry
import { JOB_RUNNING } from './job_state.js';
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

/**
 * Where a job's outcome goes. The pool calls exactly one of these, once. The runtime's
 * blocking task implements it directly (no promise per job); {@link BlockingPool.run}
 * wraps a promise around it.
 */
export interface JobSink {
  /** The job returned (or its promise fulfilled with) `value`. */
  jobDone(value: unknown): void;
  /**
   * The job threw, or never ran: a `BlockingPoolError` (`cancelled`, `terminated`,
   * `spawnFailed`). `cancelled` is true when `cancel()` or `close()` withdrew it.
   */
  jobFailed(err: unknown, cancelled: boolean): void;
}

/** The pool, as its job records see it (one object per pool, shared by its records). */
export interface JobOwner {
  /** A record delivered its outcome. */
  jobSettled(): void;
  /** Withdraw `rec` if it hasn't started. */
  cancelJob(rec: JobRecord): boolean;
}

/**
 * The pool's bookkeeping of one job. One object per job: no closures, so the hot path
 * allocates little besides the request piscina posts.
 */
export class JobRecord {
  readonly request: JobRequest;
  /** Its state word: table id, chunk and index (see `job_state.ts`). */
  readonly wordId: number;
  readonly states: Int32Array;
  readonly index: number;
  readonly #sink: JobSink;
  readonly #owner: JobOwner;
  /** `queued` (our FIFO) → `handed` (to piscina) → `done`; or `queued` → `withdrawn`. */
  phase: 'queued' | 'handed' | 'withdrawn' | 'done' = 'queued';
  /** Whether the outcome has been delivered. */
  settled = false;
  /** What the caller sees once settled: `finished` or `cancelled`. */
  outcome: BlockingJobState = 'queued';

  constructor(request: JobRequest, wordId: number, states: Int32Array, sink: JobSink, owner: JobOwner) {
    this.request = request;
    this.wordId = wordId;
    this.states = states;
    this.index = request.index;
    this.#sink = sink;
    this.#owner = owner;
  }

  /** Withdraw the job if it hasn't started; see {@link BlockingJob.cancel}. */
  cancel(): boolean {
    return this.#owner.cancelJob(this);
  }

  /** Where the job is now, as the caller sees it. */
  get state(): BlockingJobState {
    if (this.settled) return this.outcome;
    if (this.phase === 'handed' && Atomics.load(this.states, this.index) === JOB_RUNNING) return 'running';
    return 'queued';
  }

  /** Deliver a value (first outcome wins), then tell the pool. */
  resolve(value: unknown, handles = false): void {
    if (this.settled) {
      if (handles) dropPosted(value); // a discarded result drops the copies it carried
      return;
    }
    this.settled = true;
    this.outcome = 'finished';
    // The result's handles are the caller's now, as a moved value is in Rust.
    this.#sink.jobDone(handles ? revivePosted(value).value : value);
    this.#owner.jobSettled();
  }

  /** Deliver a failure (first outcome wins), then tell the pool. */
  reject(err: unknown): void {
    if (this.settled) return;
    this.settled = true;
    this.outcome = 'finished';
    this.#sink.jobFailed(err, false);
    this.#owner.jobSettled();
  }

  /** Deliver "withdrawn": the job never runs. */
  rejectCancelled(err: Error): void {
    if (this.settled) return;
    this.settled = true;
    this.outcome = 'cancelled';
    this.dropArgs();
    this.#sink.jobFailed(err, true);
    this.#owner.jobSettled();
  }

  /**
   * The job will never run (no thread claimed its word, and none can now): drop the copies
   * of channel ends its arguments carry, as the job would have when it finished, so a
   * receiver waiting on them ends. Call it once.
   */
  dropArgs(): void {
    dropPosted(this.request.args);
  }
}

const noop = (): void => {};

/** A {@link JobSink} that settles a promise: what {@link BlockingPool.run} hands out. */
export class PromiseSink implements JobSink {
  readonly promise: Promise<unknown>;
  #resolve!: (value: unknown) => void;
  #reject!: (err: unknown) => void;

  constructor() {
    this.promise = new Promise<unknown>((res, rej) => {
      this.#resolve = res;
      this.#reject = rej;
    });
  }

  jobDone(value: unknown): void {
    this.#resolve(value);
  }

  jobFailed(err: unknown, cancelled: boolean): void {
    // Nobody has to await a cancellation they asked for.
    if (cancelled) this.promise.catch(noop);
    this.#reject(err);
  }
}

/** The caller's view of `rec`, whose outcome goes to `sink`. */
export function jobHandle<R>(rec: JobRecord, sink: PromiseSink): BlockingJob<R> {
  return {
    promise: sink.promise as Promise<R>,
    cancel: () => rec.cancel(),
    get state(): BlockingJobState {
      return rec.state;
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
    throw typeError(
      `The "moduleUrl" argument must be a URL (e.g. import.meta.url) or an absolute path. Received ${moduleUrl}`,
      'ERR_INVALID_URL',
    );
  }
  return moduleUrl;
}
