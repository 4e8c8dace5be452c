/**
 * The blocking pool (`spawnBlocking`): separate threads for work that would block the event
 * loop. The runtime owns one {@link BlockingPool}; see `pool.ts` for the model.
 */
export { BlockingPool } from './pool.js';
export type { BlockingJob, BlockingJobState, BlockingPoolCloseOptions } from './pool.js';
export type {
  BlockingPoolOptions,
  BlockingPoolLogger,
  BlockingPoolEnv,
  ResolvedBlockingPoolOptions,
} from './options.js';
export { resolveBlockingPoolOptions } from './options.js';
export {
  DEFAULT_MAX_BLOCKING_THREADS,
  DEFAULT_THREAD_KEEP_ALIVE_MS,
  MIN_DEFAULT_BLOCKING_THREADS,
  MAX_DEFAULT_BLOCKING_THREADS,
  defaultMaxBlockingThreads,
} from './defaults.js';
export { BlockingPoolError } from './errors.js';
export type { BlockingPoolErrorKind } from './errors.js';
