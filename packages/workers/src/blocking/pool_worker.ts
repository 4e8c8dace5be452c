/**
 * The pool-thread side of the blocking pool: piscina's task handler.
 *
 * piscina imports this module in each pool thread and calls its default export once per
 * job. The handler imports the task module (once per thread, cached), finds the export,
 * claims the job's shared state word (so a job cancelled while queued never runs), calls
 * the function, awaits it, and answers with plain data: the value, or the thrown value
 * encoded so the caller sees the original error (see `codec/error_codec.ts`).
 *
 * The exported value is either a plain function or a skein task definition (an object with
 * `Symbol.for('skein.task') === true` and the function in `.fn`), so this file needs
 * nothing from `@skein/core` and threads start light. It avoids `import.meta` so it loads
 * the same way whichever loader piscina ends up using.
 */
import {
  dropOwned,
  dropPosted,
  hasPosted,
  holdsObjects,
  revivePosted,
  toPostable,
  type OwnedHandle,
} from '../sync/handle_codec.js';
import { installThreadLedger, type LedgerSegmentMessage, ThreadLedger } from '../sync/thread_ledger.js';
import { parentPort, threadId, workerData } from 'node:worker_threads';
import { describe, encodeThrown } from '../codec/error_codec.js';
import { tryStart } from './job_state.js';
import { DEFAULT_BLOCKING_NICE, lowerThreadPriority } from './thread_priority.js';
import type { JobRequest, JobResponse, PoolRequest, PoolWorkerData } from './protocol.js';
import { importModule as importTsModule } from './tsx_loader.js';

const TASK_MARKER = Symbol.for('skein.task');

type AnyFunction = (...args: unknown[]) => unknown;

const data = (workerData ?? {}) as Partial<PoolWorkerData>;
lowerThreadPriority(data.nice ?? DEFAULT_BLOCKING_NICE);
/** The pool's primary chunk of job-state words; jobs whose word lives elsewhere carry theirs. */
const primaryStates = data.states;
const modules = new Map<string, Promise<Record<string, unknown>>>();
/** Resolved functions by module URL, then export name (no per-job key string). */
const functions = new Map<string, Map<string, AnyFunction>>();
const SKIP: JobResponse = { t: 'skip' };

// What this thread's jobs hold of the shared primitives, which the pool gives back once the
// thread has exited (`pool_thread_ledgers.ts`). The first segment is posted before piscina's
// ready message, so the pool has it before this thread runs a job.
const postSegment = (ledger: SharedArrayBuffer): void =>
  parentPort?.postMessage({ t: 'skein:ledger', threadId, ledger } satisfies LedgerSegmentMessage);
const firstSegment = ThreadLedger.allocate();
installThreadLedger(firstSegment, postSegment);
postSegment(firstSegment);

/**
 * piscina's entry point: run one blocking job (or acknowledge a kick). Once the function is
 * known, a sync job is answered synchronously: no promise or extra microtask per job.
 */
export default function runBlockingJob(request: PoolRequest): JobResponse | Promise<JobResponse> {
  if (request.kind !== 'job') return SKIP;
  const fn = functions.get(request.url)?.get(request.exportName);
  if (fn !== undefined) return runJob(fn, request);
  return resolveFunction(request).then(
    (f) => runJob(f, request),
    (err: unknown) => {
      const failed: JobResponse = { t: 'err', error: encodeThrown(err) };
      // Loading failed; report it unless the job was cancelled meanwhile (then it never
      // "ran"). A claimed job's handles are this thread's to drop, as if it had run.
      if (!holdsObjects(request.args) || !hasPosted(request.args)) return claim(request) ? failed : SKIP;
      return import('../sync/revive.js').then(() => {
        if (!claim(request)) return SKIP;
        dropPosted(request.args);
        return failed;
      });
    },
  );
}

/** Claim the job's state word; false if it was cancelled first. */
function claim(request: JobRequest): boolean {
  const states = request.states ?? primaryStates;
  if (states === undefined) throw new Error('blocking-pool thread started without its job-state words');
  return tryStart(states, request.index);
}

function runJob(fn: AnyFunction, request: JobRequest): JobResponse | Promise<JobResponse> {
  const args = request.args as unknown[];
  // Primitives only (the usual case): nothing to decode, no handle codec walk per job.
  if (!holdsObjects(args)) return claim(request) ? call(fn, request, args, undefined) : SKIP;
  // Shared primitives among the arguments need their classes, loaded on first use only:
  // they import @skein/core, which pool threads otherwise never load.
  if (hasPosted(args)) return import('../sync/revive.js').then(() => runDecoded(fn, request));
  return runDecoded(fn, request);
}

function runDecoded(fn: AnyFunction, request: JobRequest): JobResponse | Promise<JobResponse> {
  if (!claim(request)) return SKIP;
  // Shared primitives among the arguments are rebuilt here; channel ends are the job's own.
  const { value: args, owned } = revivePosted(request.args as unknown[]);
  return call(fn, request, args, owned);
}

/** Run a claimed job; `owned` (channel ends decoded for it) is dropped once it settles. */
function call(
  fn: AnyFunction,
  request: JobRequest,
  args: unknown[],
  owned: OwnedHandle[] | undefined,
): JobResponse | Promise<JobResponse> {
  let value: unknown;
  try {
    value = fn(...args);
  } catch (err) {
    dropOwned(owned);
    return { t: 'err', error: encodeThrown(err) };
  }
  if (isThenable(value)) {
    return Promise.resolve(value)
      .then(
        (v): JobResponse => answer(v, request),
        (err: unknown): JobResponse => ({ t: 'err', error: encodeThrown(err) }),
      )
      .finally(() => dropOwned(owned));
  }
  // Answered first: a job returning a channel end it was given counts the caller's copy
  // before its own copy goes.
  const response = answer(value, request);
  dropOwned(owned);
  return response;
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    value !== null &&
    (typeof value === 'object' || typeof value === 'function') &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}

/** The response for a returned value, or an error if it can't be posted back. */
function answer(value: unknown, request: JobRequest): JobResponse {
  const problem = uncloneableReason(value);
  if (problem !== undefined) {
    const err = new TypeError(
      `the blocking task ${request.exportName} (${request.url}) returned a value that can't be sent back to the ` +
        `caller: ${problem}. Return plain data (structured-cloneable values)`,
    ) as TypeError & { code: string };
    err.code = 'ERR_SKEIN_BLOCKING_RESULT_NOT_CLONEABLE';
    return { t: 'err', error: encodeThrown(err) };
  }
  if (value === null || typeof value !== 'object') return { t: 'ok', value };
  let posted: unknown;
  try {
    // The caller's side keeps the list of primitives its jobs received, not this thread.
    posted = toPostable(value);
  } catch (err) {
    return { t: 'err', error: encodeThrown(err) }; // a handle closed or moved away: it can't cross
  }
  return posted === value ? { t: 'ok', value } : { t: 'ok', value: posted, handles: true };
}

async function resolveFunction(request: JobRequest): Promise<AnyFunction> {
  const ns = await importModule(request.url);
  if (!(request.exportName in ns)) {
    throw notAFunction(`module ${request.url} has no export named "${request.exportName}"`);
  }
  const exported = ns[request.exportName];
  let fn: unknown = exported;
  if (
    exported !== null &&
    (typeof exported === 'object' || typeof exported === 'function') &&
    (exported as Record<symbol, unknown>)[TASK_MARKER] === true
  ) {
    fn = (exported as { fn?: unknown }).fn;
  }
  if (typeof fn !== 'function') {
    throw notAFunction(
      `export "${request.exportName}" of ${request.url} is neither a function nor a task() definition`,
    );
  }
  let byName = functions.get(request.url);
  if (byName === undefined) functions.set(request.url, (byName = new Map()));
  byName.set(request.exportName, fn as AnyFunction);
  return fn as AnyFunction;
}

function importModule(url: string): Promise<Record<string, unknown>> {
  let loading = modules.get(url);
  if (loading === undefined) {
    loading = importTsModule(url, data.tsxApiUrl);
    modules.set(url, loading);
    loading.catch(() => modules.delete(url));
  }
  return loading;
}

function notAFunction(message: string): TypeError {
  const err = new TypeError(message) as TypeError & { code: string };
  err.code = 'ERR_SKEIN_BLOCKING_NOT_A_FUNCTION';
  return err;
}

/** Why postMessage can't carry `value`, or undefined if it can. Buffers skip the check. */
function uncloneableReason(value: unknown): string | undefined {
  const t = typeof value;
  if (t === 'function' || t === 'symbol') return describe(value);
  if (value === null || t !== 'object') return undefined;
  if (value instanceof ArrayBuffer || value instanceof SharedArrayBuffer || ArrayBuffer.isView(value)) return undefined;
  try {
    structuredClone(value);
    return undefined;
  } catch (err) {
    return err instanceof Error ? err.message : describe(value);
  }
}
