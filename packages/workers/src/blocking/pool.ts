/**
 * The blocking pool behind `spawnBlocking`: Tokio's `spawn_blocking` mapped onto piscina.
 *
 * Tokio runs blocking closures on a separate, lazily grown set of OS threads, capped by
 * `max_blocking_threads`, whose idle threads exit after `thread_keep_alive`, fed by an
 * unbounded FIFO queue. Here the threads are piscina workers (`minThreads: 0`,
 * `maxThreads`, `idleTimeout`), and the closure is data, (module URL, export name,
 * arguments), which `pool_worker.ts` runs.
 *
 * The queue is ours, not piscina's: the pool hands piscina one job per thread it may start,
 * plus a few per running thread (HANDOFF_DEPTH), and keeps the rest in its own FIFO. Why:
 * - Cancel. A job still in our queue is simply dropped. A job already handed to piscina is
 *   cancelled through its shared state word (`job_state.ts`): the thread claims the word
 *   before calling the function, `cancel()` claims it from the other side, and only one
 *   wins. piscina's own AbortSignal route is never used, because aborting a task a thread
 *   already holds terminates that thread.
 * - Order. piscina 5 doesn't keep abortable tasks in FIFO order (a task that finds no free
 *   thread goes back to the head or the tail of its skip queue), and Tokio's queue is FIFO.
 * - Metrics. Queue depth, running jobs and idle threads are counted here exactly.
 * - Recovery. With `minThreads: 0`, piscina leaves queued tasks waiting forever when every
 *   thread died; with no thread up the pool hands one job per thread it may start, so each
 *   new hand-off starts a thread again, and a no-op "kick" covers the rest. If threads
 *   can't start at all, queued jobs fail with `spawnFailed` instead of hanging.
 *
 * Errors keep their class, code and stack (`codec/error_codec.ts`). Shutdown never hangs:
 * `close()` withdraws queued jobs and waits for running ones, `close({ force: true })`
 * terminates them, and neither idle threads nor the pool keep the process alive (piscina
 * unrefs idle threads and its idle timers). TypeScript task modules load through tsx
 * (`tsx_loader.ts`).
 */
import type { Piscina } from 'piscina';
import { Deque } from '@skein/core/internal';
import '../codec/core_errors.js'; // decoded job errors keep skein's classes
import { decodeThrown } from '../codec/error_codec.js';
import { typeError } from '@skein/core';
import { BlockingPoolError } from './errors.js';
import {
  JobRecord,
  PromiseSink,
  jobHandle,
  normalizeModuleUrl,
  type BlockingJob,
  type JobOwner,
  type JobSink,
} from './job.js';
import { JobStateTable, tryCancel } from './job_state.js';
import { HandedJobs } from './handed_jobs.js';
import {
  logTo,
  resolveBlockingPoolOptions,
  resolveCloseOptions,
  type BlockingPoolCloseOptions,
  type BlockingPoolOptions,
  type ResolvedBlockingPoolOptions,
} from './options.js';
import type { JobRequest, JobResponse, PoolRequest } from './protocol.js';
import { createPoolThreads, piscinaFailure, terminatePoolThreads } from './pool_threads.js';
import { PoolThreadLedgers } from './pool_thread_ledgers.js';
import { toPostable } from '../sync/handle_codec.js';

export type { BlockingJob, BlockingJobState, JobRecord, JobSink } from './job.js';
export type { BlockingPoolCloseOptions } from './options.js';

/** Kicks in a row that started no thread before waiting jobs fail with `spawnFailed`. */
const MAX_FRUITLESS_KICKS = 3;

const noop = (): void => {};

/**
 * Jobs handed to piscina per running thread. piscina posts a thread its next task as soon
 * as the thread answers, from piscina's own queue; our refill comes a microtask later. So
 * piscina's queue should never run dry while we still hold jobs: with a stream of small
 * jobs, `piscina.run()` on an empty queue takes its slow path (it lists every worker and
 * asks its balancer) and threads wait for the main thread. Two per thread left it dry often
 * enough to cost throughput (bench `spawn_blocking` shape, interleaved on a loaded box:
 * 0.61× raw piscina at 2, 0.72× at 8, 0.76× at 32; noisy, but never better at 2). Handed jobs
 * stay cancellable through their state word, count in the queue depth until a thread
 * claims them, and piscina keeps un-abortable tasks in FIFO order.
 */
const HANDOFF_DEPTH = 16;

/**
 * A pool of blocking threads: lazily started, capped at `maxThreads`, idle threads exit
 * after `idleTimeoutMs`, unbounded FIFO queue, at most HANDOFF_DEPTH jobs per thread handed to piscina.
 */
export class BlockingPool {
  readonly #opts: ResolvedBlockingPoolOptions;
  readonly #piscina: Piscina<PoolRequest, JobResponse>;
  readonly #states: JobStateTable;
  /** What each thread holds of the shared primitives, given back when it exits. */
  readonly #ledgers: PoolThreadLedgers;
  readonly #queue = new Deque<JobRecord>();
  /** Jobs in #queue that are still waiting (withdrawn ones excluded). */
  #queued = 0;
  /** Jobs handed to piscina whose piscina task hasn't settled (see #pump for the limit). */
  readonly #handed = new HandedJobs();
  #closing = false;
  #terminating: Promise<void> | undefined;
  #fruitlessKicks = 0;
  #lastThreadError: unknown;
  /** The last module URL given to {@link submit} and its normalized form (a pool runs few modules). */
  #lastUrl: string | undefined = undefined;
  #lastNormalizedUrl = '';
  /** What every job record calls back into (one object, not closures per job). */
  readonly #owner: JobOwner = {
    jobSettled: () => this.#handed.jobSettled(),
    cancelJob: (rec) => this.#cancel(rec),
  };

  /** Validate `opts` (TypeError / RangeError with a `code`) and create the pool. No thread starts yet. */
  constructor(opts: BlockingPoolOptions = {}) {
    this.#opts = resolveBlockingPoolOptions(opts);
    // Every job piscina can hold at once (see #pump) gets a word in the primary chunk, up to
    // a sane size (huge maxThreads): past it, jobs carry their overflow chunk.
    this.#states = new JobStateTable(Math.min(4_096, this.#opts.maxThreads * HANDOFF_DEPTH));
    this.#piscina = createPoolThreads(this.#opts, this.#states, (obj, msg) => this.#log('warn', obj, msg));
    this.#piscina.on('error', (err: unknown) => {
      this.#lastThreadError = err;
      this.#log('warn', { err, pool: this.#opts.threadName }, 'a blocking-pool thread failed');
    });
    this.#ledgers = new PoolThreadLedgers(this.#piscina, { warn: (obj, msg) => this.#log('warn', obj, msg) });
    this.#piscina.on('workerDestroy', () => {
      if (!this.#closing) queueMicrotask(() => this.#recover());
    });
  }

  /**
   * Run export `exportName` of module `moduleUrl` (a URL such as `import.meta.url`, or an
   * absolute path) with `args` on a pool thread. The export is a function or a skein task
   * definition (`Symbol.for('skein.task')`, function in `.fn`), sync or async. Arguments
   * are structured-cloned when the job is handed to a thread (a SharedArrayBuffer is shared).
   *
   * Throws TypeError (`ERR_INVALID_ARG_TYPE`, `ERR_INVALID_URL`) for bad arguments and
   * BlockingPoolError (`closed`) after {@link close}.
   */
  run<R>(moduleUrl: string, exportName: string, args: readonly unknown[] = []): BlockingJob<R> {
    const sink = new PromiseSink();
    return jobHandle<R>(this.submit(moduleUrl, exportName, args, sink), sink);
  }

  /**
   * {@link run} without a promise: the outcome goes to `sink` (exactly one call), and the
   * returned record cancels the job (`cancel()`, as {@link BlockingJob.cancel}) and tells
   * where it is (`state`). The runtime's blocking tasks use this. Same errors as {@link run}.
   */
  submit(moduleUrl: string, exportName: string, args: readonly unknown[], sink: JobSink): JobRecord {
    const url = moduleUrl === this.#lastUrl ? this.#lastNormalizedUrl : this.#normalizeUrl(moduleUrl);
    if (typeof exportName !== 'string' || exportName === '') {
      throw typeError(`The "exportName" argument must be a non-empty string. Received ${typeof exportName}`);
    }
    if (!Array.isArray(args)) throw typeError(`The "args" argument must be an array. Received ${typeof args}`);
    if (this.#closing) throw new BlockingPoolError('closed');

    const wordId = this.#states.acquire();
    const states = this.#states.chunkOf(wordId);
    const index = this.#states.indexOf(wordId);
    // Threads already hold the primary chunk: don't post it with every job.
    const request: JobRequest =
      states === this.#states.primary
        ? { kind: 'job', url, exportName, args, index }
        : { kind: 'job', url, exportName, args, index, states };
    const rec = new JobRecord(request, wordId, states, sink, this.#owner);
    this.#queue.push(rec);
    this.#queued++;
    this.#pump();
    return rec;
  }

  /**
   * @internal `args` ready for {@link submit}: shared handles replaced by what postMessage
   * carries (each crossing counted, as a spawn counts it), and their primitives remembered,
   * so that what a thread that dies holds of them is given back.
   */
  postable(args: unknown[]): unknown[] {
    return toPostable(args, this.#ledgers.crossed) as unknown[];
  }

  #normalizeUrl(moduleUrl: string): string {
    const url = normalizeModuleUrl(moduleUrl);
    this.#lastUrl = moduleUrl;
    this.#lastNormalizedUrl = url;
    return url;
  }

  /** Threads alive now (starting, busy or idle): Tokio's `num_blocking_threads`. */
  get numThreads(): number {
    return this.#piscina.threads.length;
  }

  /** Threads not running a job: Tokio's `num_idle_blocking_threads`. */
  get numIdleThreads(): number {
    return Math.max(0, this.#piscina.threads.length - this.#handed.running());
  }

  /** Jobs no thread has started yet (cancelled ones excluded): Tokio's `blocking_queue_depth`. */
  get queueDepth(): number {
    return this.#queued + this.#handed.waiting();
  }

  /** Jobs a thread has started and not yet finished. */
  get numRunning(): number {
    return this.#handed.running(true);
  }

  /** The cap on threads. */
  get maxThreads(): number {
    return this.#opts.maxThreads;
  }

  /** The keep-alive of idle threads in ms (`Infinity`: never exit). */
  get idleTimeoutMs(): number {
    return this.#opts.idleTimeoutMs;
  }

  /** True once {@link close} was called. */
  get closed(): boolean {
    return this.#closing;
  }

  /**
   * Shut the pool down. Jobs that haven't started are withdrawn at once (they never run;
   * their promises reject with `cancelled`), as Tokio cancels queued blocking tasks at
   * shutdown. Then:
   * - default: wait for running jobs to finish, then stop the threads;
   * - `timeoutMs`: wait at most that long, then terminate what still runs;
   * - `force: true`: terminate running jobs now (their promises reject with `terminated`).
   * Calling it again with `force` escalates a pending graceful close. The promise always
   * settles: a thread stuck in native code is abandoned (unref'd) after a grace period.
   */
  async close(opts: BlockingPoolCloseOptions = {}): Promise<void> {
    const { force, timeoutMs } = resolveCloseOptions(opts);
    if (!this.#closing) {
      this.#closing = true;
      this.#failWaiting(() => new BlockingPoolError('cancelled'));
    }
    if (!force) await this.#handed.whenAllSettled(timeoutMs);
    await this.#terminate();
  }

  /** `await using pool = new BlockingPool(...)`: a graceful {@link close}. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  /** Hand queued jobs to piscina while a thread is (or can be) free. */
  #pump(): void {
    // Extra jobs go only to threads that are up: piscina starts a thread per queued task
    // while threads are starting, and must not overshoot maxThreads.
    const limit =
      this.#opts.maxThreads + (HANDOFF_DEPTH - 1) * Math.min(this.#opts.maxThreads, this.#piscina.threads.length);
    while (this.#handed.size < limit) {
      const rec = this.#queue.shift();
      if (rec === undefined) return;
      if (rec.phase !== 'queued') continue; // withdrawn
      this.#queued--;
      this.#handOff(rec);
    }
  }

  #handOff(rec: JobRecord): void {
    rec.phase = 'handed';
    this.#handed.add(rec);
    let settled: Promise<JobResponse>;
    try {
      settled = this.#piscina.run(rec.request);
    } catch (err) {
      // Unexpected (thread options are validated up front). The task may sit in piscina's
      // queue: make sure it never runs, and keep its word (a thread may still read it).
      if (tryCancel(rec.states, rec.index)) rec.dropArgs();
      this.#handed.delete(rec);
      rec.phase = 'done';
      rec.reject(err);
      return;
    }
    settled.then(
      (response) => this.#onPiscinaSettled(rec, response, undefined),
      (err: unknown) => this.#onPiscinaSettled(rec, undefined, err),
    );
  }

  #onPiscinaSettled(rec: JobRecord, response: JobResponse | undefined, err: unknown): void {
    this.#handed.delete(rec);
    rec.phase = 'done';
    // Its thread died or was terminated before claiming it: nobody decoded its arguments.
    if (response === undefined && tryCancel(rec.states, rec.index)) rec.dropArgs();
    this.#states.release(rec.wordId);
    if (response !== undefined) {
      this.#fruitlessKicks = 0;
      if (response.t === 'ok') rec.resolve(response.value, response.handles === true);
      else if (response.t === 'err') rec.reject(decodeThrown(response.error));
      else rec.reject(new BlockingPoolError('cancelled')); // skipped: already settled by cancel()
    } else {
      const job = `${rec.request.exportName} (${rec.request.url})`;
      rec.reject(
        piscinaFailure(err, this.#terminating !== undefined, (crash) => {
          this.#log(
            'error',
            { err, job, reason: crash.reason, exitCode: crash.exitCode, pool: this.#opts.threadName },
            `a blocking-pool thread crashed (${crash.reason}) while running ${job}; the job failed with WorkerCrashedError`,
          );
        }),
      );
    }
    if (!this.#closing) this.#pump();
  }

  #cancel(rec: JobRecord): boolean {
    if (rec.settled) return false;
    if (rec.phase === 'queued') {
      rec.phase = 'withdrawn';
      this.#queued--;
    } else if (rec.phase !== 'handed' || !tryCancel(rec.states, rec.index)) {
      return false; // its thread claimed it first: it runs to the end
    }
    // A handed job whose word cancel() won is skipped by its thread: it never runs.
    rec.rejectCancelled(new BlockingPoolError('cancelled'));
    return true;
  }

  /** Fail every job that hasn't started: queued ones, and handed ones no thread claimed yet. */
  #failWaiting(error: () => BlockingPoolError): void {
    for (const rec of this.#queue.drain()) {
      if (rec.phase !== 'queued') continue;
      rec.phase = 'withdrawn';
      rec.rejectCancelled(error());
    }
    this.#queued = 0;
    for (const rec of this.#handed) {
      if (!rec.settled && tryCancel(rec.states, rec.index)) rec.rejectCancelled(error());
    }
  }

  /**
   * Every thread is gone but handed jobs wait in piscina's queue (their thread failed to
   * start or died): make piscina start one, or fail the waiting jobs if none can start.
   */
  #recover(): void {
    // With no thread alive, every handed job (even a cancelled one, which still holds a
    // hand-off slot until a thread skips it) waits in piscina's queue.
    if (this.#closing || this.#piscina.threads.length > 0 || this.#handed.size === 0) return;
    if (this.#fruitlessKicks >= MAX_FRUITLESS_KICKS) {
      const cause = this.#lastThreadError;
      this.#log(
        'warn',
        { err: cause, pool: this.#opts.threadName, queued: this.queueDepth },
        'blocking-pool threads keep failing to start; failing the jobs that wait for one',
      );
      this.#fruitlessKicks = 0;
      this.#failWaiting(() => new BlockingPoolError('spawnFailed', { cause }));
      // Their piscina tasks may never settle: stop counting them against maxThreads (if a
      // thread ever picks one up, it skips it: every word is cancelled).
      this.#handed.clear();
      return;
    }
    this.#fruitlessKicks++;
    this.#log(
      'debug',
      { pool: this.#opts.threadName },
      'every blocking-pool thread exited with jobs waiting; starting one',
    );
    this.#piscina.run({ kind: 'kick' }).then(noop, noop);
  }

  #terminate(): Promise<void> {
    return (this.#terminating ??= terminatePoolThreads(this.#piscina, () =>
      this.#log(
        'warn',
        { pool: this.#opts.threadName },
        'a blocking-pool thread did not exit after terminate(); abandoning it',
      ),
    ));
  }

  #log(level: 'error' | 'warn' | 'debug', obj: object, msg: string): void {
    logTo(this.#opts.logger, level, obj, msg);
  }
}
