/**
 * Options of the blocking pool (and of its close) and their validation, and the logger it
 * reports to.
 *
 * The runtime builder maps `maxBlockingThreads` and `threadKeepAlive` onto these. Bad
 * values throw at construction (Node's `RangeError` / `TypeError` with a `code`), not when
 * the first thread starts, so a misconfigured runtime fails at `build()`.
 */
import { DEFAULT_BLOCKING_NICE } from './thread_priority.js';
import { SHARE_ENV, type ResourceLimits } from 'node:worker_threads';
import { DEFAULT_MAX_BLOCKING_THREADS, DEFAULT_THREAD_KEEP_ALIVE_MS } from './defaults.js';
import { rangeError, typeError } from '@skein/core';

/** Node's largest timer delay; longer keep-alives mean "never" (Node would fire them at 1 ms). */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** The pino-shaped logger the pool reports to (a pino logger fits). */
export interface BlockingPoolLogger {
  /** A thread crashed while running a job (when absent, `warn` gets it). */
  error?(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  debug?(obj: object, msg: string): void;
}

/** Environment given to pool threads: a copy (an object) or the parent's (`SHARE_ENV`). */
export type BlockingPoolEnv = Readonly<Record<string, string | undefined>> | typeof SHARE_ENV;

/** Options of {@link BlockingPool}. Every field is optional. */
export interface BlockingPoolOptions {
  /** Most threads alive at once (the runtime's `maxBlockingThreads`). Integer >= 1. Default {@link DEFAULT_MAX_BLOCKING_THREADS}. */
  maxThreads?: number;
  /** An idle thread exits after this many ms (`threadKeepAlive`). >= 0; `Infinity` keeps threads. Default 10 000. */
  idleTimeoutMs?: number;
  /** The pool's name in log records (`pool` field; Node 20 threads can't be named). Default `skein-blocking`. */
  threadName?: string;
  /** Where warnings go (thread crashes, bootstrap failures). Default: none. */
  logger?: BlockingPoolLogger;
  /**
   * Node flags for pool threads. Default: inherit `process.execArgv` (Node's own default).
   * When the pool runs from TypeScript sources, the pool adds `--import <tsx bootstrap>` and
   * `--conditions=skein-source` to these.
   */
  execArgv?: readonly string[];
  /**
   * Niceness added to pool threads (0–19, Linux only) so the event loop wins the CPU when
   * both want it; see thread_priority.ts. Default {@link DEFAULT_BLOCKING_NICE}; 0 turns it off.
   */
  nice?: number;
  /** Environment of pool threads. Default: a copy of `process.env` taken at thread start. */
  env?: BlockingPoolEnv;
  /** V8 heap limits per pool thread (`worker_threads` `resourceLimits`). */
  resourceLimits?: ResourceLimits;
}

/** Options after defaults and validation. */
export interface ResolvedBlockingPoolOptions {
  readonly maxThreads: number;
  /** `Infinity` when threads never time out. */
  readonly idleTimeoutMs: number;
  readonly threadName: string;
  readonly logger: BlockingPoolLogger | undefined;
  readonly execArgv: readonly string[] | undefined;
  readonly env: BlockingPoolEnv | undefined;
  readonly resourceLimits: ResourceLimits | undefined;
  readonly nice: number;
}

/** Apply defaults and validate; throws `TypeError` / `RangeError` with a `code`. */
export function resolveBlockingPoolOptions(opts: BlockingPoolOptions = {}): ResolvedBlockingPoolOptions {
  if (opts === null || typeof opts !== 'object') {
    throw typeError(`The "options" argument must be an object. Received ${describe(opts)}`);
  }
  const maxThreads = opts.maxThreads ?? DEFAULT_MAX_BLOCKING_THREADS;
  if (typeof maxThreads !== 'number') {
    throw typeError(`The "maxThreads" option must be a number. Received ${describe(maxThreads)}`);
  }
  if (!Number.isInteger(maxThreads) || maxThreads < 1) {
    throw rangeError(`The value of "maxThreads" is out of range. It must be an integer >= 1. Received ${maxThreads}`);
  }
  let idleTimeoutMs = opts.idleTimeoutMs ?? DEFAULT_THREAD_KEEP_ALIVE_MS;
  if (typeof idleTimeoutMs !== 'number') {
    throw typeError(`The "idleTimeoutMs" option must be a number. Received ${describe(idleTimeoutMs)}`);
  }
  if (Number.isNaN(idleTimeoutMs) || idleTimeoutMs < 0) {
    throw rangeError(`The value of "idleTimeoutMs" is out of range. It must be >= 0. Received ${idleTimeoutMs}`);
  }
  if (idleTimeoutMs > MAX_TIMER_MS) idleTimeoutMs = Infinity;
  const threadName = opts.threadName ?? 'skein-blocking';
  if (typeof threadName !== 'string') {
    throw typeError(`The "threadName" option must be a string. Received ${describe(threadName)}`);
  }
  const { logger, execArgv, env, resourceLimits } = opts;
  if (logger !== undefined && (logger === null || typeof logger !== 'object' || typeof logger.warn !== 'function')) {
    throw typeError(
      `The "logger" option must be a pino-like logger with a warn() method. Received ${describe(logger)}`,
    );
  }
  if (execArgv !== undefined && (!Array.isArray(execArgv) || execArgv.some((a) => typeof a !== 'string'))) {
    throw typeError(`The "execArgv" option must be an array of strings. Received ${describe(execArgv)}`);
  }
  if (env !== undefined && env !== SHARE_ENV && (env === null || typeof env !== 'object')) {
    throw typeError(`The "env" option must be an object or SHARE_ENV. Received ${describe(env)}`);
  }
  if (resourceLimits !== undefined && (resourceLimits === null || typeof resourceLimits !== 'object')) {
    throw typeError(`The "resourceLimits" option must be an object. Received ${describe(resourceLimits)}`);
  }
  const nice = opts.nice ?? DEFAULT_BLOCKING_NICE;
  if (typeof nice !== 'number' || !Number.isInteger(nice) || nice < 0 || nice > 19) {
    throw rangeError(`The "nice" option must be an integer from 0 to 19. Received ${String(nice)}`);
  }
  return {
    maxThreads,
    idleTimeoutMs,
    threadName,
    logger,
    execArgv: execArgv === undefined ? undefined : [...execArgv],
    env,
    resourceLimits,
    nice,
  };
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'function') return `function ${value.name || '<anonymous>'}`;
  if (typeof value === 'object') return `an instance of ${value.constructor?.name ?? 'Object'}`;
  return `type ${typeof value} (${String(value).slice(0, 40)})`;
}

/** Options of `BlockingPool.close`. */
export interface BlockingPoolCloseOptions {
  /** Terminate running jobs now instead of waiting for them (their promises reject with `terminated`). */
  force?: boolean;
  /** Wait at most this long for running jobs, then terminate them (`shutdownTimeout`). */
  timeoutMs?: number;
}

/** Validate `BlockingPool.close` options (TypeError / RangeError with a `code`) and fill in defaults. */
export function resolveCloseOptions(opts: BlockingPoolCloseOptions): {
  force: boolean;
  timeoutMs: number | undefined;
} {
  if (opts === null || typeof opts !== 'object') throw typeError('The "options" argument must be an object');
  const { force = false, timeoutMs } = opts;
  if (typeof force !== 'boolean') throw typeError('The "force" option must be a boolean');
  if (timeoutMs !== undefined) {
    if (typeof timeoutMs !== 'number') throw typeError('The "timeoutMs" option must be a number >= 0');
    if (Number.isNaN(timeoutMs) || timeoutMs < 0) {
      throw rangeError(`The value of "timeoutMs" is out of range. It must be >= 0. Received ${timeoutMs}`);
    }
  }
  return { force, timeoutMs };
}

/** Log through the pool's `logger` option, if any (`error` falls back to `warn`, `debug` is optional). */
export function logTo(
  logger: BlockingPoolLogger | undefined,
  level: 'error' | 'warn' | 'debug',
  obj: object,
  msg: string,
): void {
  if (logger === undefined) return;
  if (level === 'error') (logger.error ?? logger.warn).call(logger, obj, msg);
  else if (level === 'warn') logger.warn(obj, msg);
  else logger.debug?.(obj, msg);
}
