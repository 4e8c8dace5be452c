/**
 * Runtime configuration: what the Builder collects and the flavours read. Defaults follow
 * Tokio where Node allows it, and say why where they don't.
 */
import { availableParallelism } from 'node:os';
import type { Logger } from 'pino';
import { rangeError } from '../errors/invalid_argument.js';
import type { TaskDef } from '../task/task_def.js';

/** Called on each runtime thread as it starts or stops; see Builder.onThreadStart. */
export type ThreadHook = ((info: { worker: number | 'main' }) => void) | TaskDef<[number], unknown>;

/** Everything a runtime is built from. */
export interface RuntimeConfig {
  flavor: 'current_thread' | 'multi_thread';
  workerThreads: number;
  maxBlockingThreads: number | undefined;
  threadKeepAlive: number;
  /** How long `shutdown()` waits for a busy thread before terminating it (ms). */
  shutdownGracePeriod: number;
  threadName: string;
  startPaused: boolean;
  eventInterval: number;
  globalQueueInterval: number;
  disableLifoSlot: boolean;
  onThreadStart: ThreadHook | undefined;
  onThreadStop: ThreadHook | undefined;
  logger: Logger | string | undefined;
  /** Task tracking (see task/tracking.ts); build() reads `SKEIN_TRACKING` when unset. */
  taskTracking: boolean | undefined;
  /** A poll longer than this (ms) is a 'long-poll' warning. */
  longPollThreshold: number;
  /** Parked this long (ms) on a promise the runtime doesn't drive is a 'stuck' warning. */
  stuckThreshold: number;
}

/** `SKEIN_TRACKING`: '1' or 'true' turns task tracking on, '0', 'false' or '' leaves it off. */
export function trackingFromEnv(): boolean {
  const v = process.env.SKEIN_TRACKING?.trim() ?? '';
  if (v === '' || v === '0' || v === 'false') return false;
  if (v === '1' || v === 'true') return true;
  throw rangeError(
    `SKEIN_TRACKING must be 1, true, 0 or false. Received ${JSON.stringify(v)}`,
    'ERR_SKEIN_INVALID_ENV',
  );
}

/**
 * How long `shutdown()` waits for a worker or blocking thread that is still running a task
 * (a synchronous loop, a blocking job awaiting a promise that never settles) before it
 * terminates the thread, as `shutdownTimeout` does. Long enough for a task's cleanup,
 * short enough that a stuck thread never holds a process that is stopping.
 */
export const DEFAULT_SHUTDOWN_GRACE_MS = 5_000;

/** Default worker count: `SKEIN_WORKER_THREADS`, else `os.availableParallelism()`. */
export function defaultWorkerThreads(): number {
  const env = process.env.SKEIN_WORKER_THREADS;
  if (env !== undefined && env !== '') {
    const n = Number(env);
    if (!Number.isInteger(n) || n < 1) {
      throw rangeError(`SKEIN_WORKER_THREADS must be an integer >= 1. Received ${JSON.stringify(env)}`);
    }
    return n;
  }
  return availableParallelism();
}

/** A fresh config with every default filled in. */
export function defaultConfig(): RuntimeConfig {
  return {
    flavor: 'current_thread',
    workerThreads: 0,
    maxBlockingThreads: undefined,
    threadKeepAlive: 10_000,
    shutdownGracePeriod: DEFAULT_SHUTDOWN_GRACE_MS,
    threadName: 'skein-worker',
    startPaused: false,
    eventInterval: 61,
    globalQueueInterval: 31,
    disableLifoSlot: false,
    onThreadStart: undefined,
    onThreadStop: undefined,
    logger: undefined,
    taskTracking: undefined,
    longPollThreshold: 50,
    stuckThreshold: 10_000,
  };
}
