/**
 * The blocking pool's threads as piscina sees them: how they start (entry file, tsx for
 * TypeScript sources, exec arguments, the shared job-state words), what piscina's
 * rejections mean when a thread dies under a job, and how they are terminated.
 */
import { fileURLToPath } from 'node:url';
import { Piscina } from 'piscina';
import { WorkerCrashedError } from '../runtime/errors.js';
import { BlockingPoolError } from './errors.js';
import { assertWorkerExecArgv, sourceModeExecArgv } from './exec_argv.js';
import type { JobStateTable } from './job_state.js';
import type { ResolvedBlockingPoolOptions } from './options.js';
import type { JobResponse, PoolRequest, PoolWorkerData } from './protocol.js';
import { cwdBase, resolveTsxEsmApi } from './tsx_loader.js';

/** True when this file runs as TypeScript (tests, tsx): threads then need tsx too. */
const SOURCE_MODE = /\.[cm]?tsx?$/.test(new URL(import.meta.url).pathname);
const WORKER_ENTRY = fileURLToPath(new URL(SOURCE_MODE ? './pool_worker.ts' : './pool_worker.js', import.meta.url));

/**
 * The piscina instance for a pool with `opts`, whose threads claim jobs through `states`.
 * No thread starts yet. `warn` hears of a setup that will fail (tsx missing in source mode).
 */
export function createPoolThreads(
  opts: ResolvedBlockingPoolOptions,
  states: JobStateTable,
  warn: (obj: object, msg: string) => void,
): Piscina<PoolRequest, JobResponse> {
  const tsxApiUrl = resolveTsxEsmApi([import.meta.url, cwdBase()]);
  let execArgv = opts.execArgv;
  if (SOURCE_MODE) {
    if (tsxApiUrl === undefined) {
      warn(
        { entry: WORKER_ENTRY },
        'the blocking pool runs from TypeScript sources but tsx was not found; its threads will fail to start',
      );
    }
    execArgv = sourceModeExecArgv(execArgv ?? process.execArgv, tsxApiUrl);
  }
  if (execArgv !== undefined) assertWorkerExecArgv(execArgv);
  const workerData: PoolWorkerData = { tsxApiUrl, nice: opts.nice, states: states.primary };
  return new Piscina<PoolRequest, JobResponse>({
    filename: WORKER_ENTRY,
    minThreads: 0,
    maxThreads: opts.maxThreads,
    idleTimeout: opts.idleTimeoutMs,
    maxQueue: Infinity,
    concurrentTasksPerWorker: 1,
    // Idle threads wait with Atomics.waitAsync, so their event loop keeps running (a job
    // may leave timers or I/O behind; 'sync' would freeze them until the next job).
    atomics: 'async',
    recordTiming: false,
    // Tasks waiting for a starting thread go back to the head, not the tail.
    stricterFIFO: true,
    workerData,
    ...(execArgv === undefined ? {} : { execArgv: [...execArgv] }),
    ...(opts.env === undefined ? {} : { env: opts.env }),
    ...(opts.resourceLimits === undefined ? {} : { resourceLimits: opts.resourceLimits }),
  });
}

/**
 * piscina's rejection of a job, as an error a caller can act on: `terminated` during a
 * force close; a WorkerCrashedError, as on the runtime's workers, when the job's thread
 * died (it exited, threw outside the job, ran out of memory), which `onCrash` hears of.
 */
export function piscinaFailure(
  err: unknown,
  terminating: boolean,
  onCrash: (crash: WorkerCrashedError) => void,
): unknown {
  if (terminating && err instanceof Error && err.message === 'Terminating worker thread') {
    return new BlockingPoolError('terminated', { cause: err });
  }
  const crash = crashOf(err);
  if (crash !== undefined) {
    onCrash(crash);
    return crash;
  }
  if (err instanceof Error) return err;
  // A thread died on something postMessage could not even describe (an empty clone).
  return new Error(
    `a blocking-pool thread failed while running this job${err === undefined ? '' : `: ${String(err)}`}`,
    { cause: err },
  );
}

/**
 * The WorkerCrashedError for a piscina rejection that means the job's thread died, else
 * undefined. piscina rejects a dead thread's job with "worker exited with code: N", or with
 * the thread's own error (uncaught outside the job, out of memory); a job whose arguments
 * couldn't be posted gets a DataCloneError, which is no crash.
 */
function crashOf(err: unknown): WorkerCrashedError | undefined {
  if (!(err instanceof Error) || err.name === 'DataCloneError') return undefined;
  const exited = /^worker exited with code: (-?\d+)$/.exec(err.message);
  if (exited !== null) return new WorkerCrashedError('blocking', 'exit', `exit code ${exited[1]}`, Number(exited[1]));
  const oom = (err as { code?: unknown }).code === 'ERR_WORKER_OUT_OF_MEMORY';
  return new WorkerCrashedError('blocking', oom ? 'out-of-memory' : 'uncaught-error', `${err.name}: ${err.message}`);
}

/** How long a force close waits for terminated threads to exit before abandoning them. */
const TERMINATE_GRACE_MS = 2_000;

/**
 * Terminate every thread of `piscina`. Always settles: a thread stuck in native code
 * ignores terminate() until it returns to JavaScript, so after a grace period it is
 * unref'd (it must not hold the process open) and `onAbandoned` is told.
 */
export async function terminatePoolThreads(
  piscina: Piscina<PoolRequest, JobResponse>,
  onAbandoned: () => void,
): Promise<void> {
  const threads = piscina.threads;
  let timer: NodeJS.Timeout | undefined;
  const grace = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), TERMINATE_GRACE_MS);
    timer.unref();
  });
  const outcome = await Promise.race([piscina.destroy().then(() => 'done' as const), grace]);
  if (timer !== undefined) clearTimeout(timer);
  if (outcome === 'timeout') {
    for (const worker of threads) worker.unref();
    onAbandoned();
  }
}
