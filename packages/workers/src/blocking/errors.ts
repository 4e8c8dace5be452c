/**
 * Errors of the blocking pool.
 *
 * They follow skein's convention (DESIGN.md, "Errors and bad input"): bad arguments throw
 * the standard `RangeError` / `TypeError` with a Node-style `code`; everything else is a
 * `SkeinError` with a stable `code`. Only the main thread imports this file: pool threads
 * stay light and never load @skein/core.
 */
import { SkeinError } from '@skein/core';

/**
 * Why a blocking job did not produce its own result or error:
 * - `cancelled`: `cancel()` removed it, or the pool closed, before it started. It never ran.
 * - `terminated`: the pool was force-closed while it ran; its thread was terminated.
 * - `closed`: `run()` was called after `close()`.
 * - `spawnFailed`: pool threads could not start (e.g. tsx missing for a TypeScript entry),
 *   so queued jobs were failed instead of waiting forever. `cause` holds the thread's error.
 */
export type BlockingPoolErrorKind = 'cancelled' | 'terminated' | 'closed' | 'spawnFailed';

const CODES: Readonly<Record<BlockingPoolErrorKind, string>> = {
  cancelled: 'ERR_SKEIN_BLOCKING_CANCELLED',
  terminated: 'ERR_SKEIN_BLOCKING_TERMINATED',
  closed: 'ERR_SKEIN_BLOCKING_POOL_CLOSED',
  spawnFailed: 'ERR_SKEIN_BLOCKING_SPAWN_FAILED',
};

const MESSAGES: Readonly<Record<BlockingPoolErrorKind, string>> = {
  cancelled: 'the blocking job was cancelled before it started; it never ran',
  terminated: 'the blocking pool was force-closed while this job ran; its thread was terminated',
  closed: 'the blocking pool is closed: it accepts no new jobs. Spawn before shutting the runtime down',
  spawnFailed:
    'the blocking pool could not start a thread, so this queued job was failed instead of waiting forever; see `cause`',
};

/** A blocking job that was cancelled, terminated or refused. Switch on `kind` or `code`. */
export class BlockingPoolError extends SkeinError {
  /** What happened; see {@link BlockingPoolErrorKind}. */
  readonly kind: BlockingPoolErrorKind;

  constructor(kind: BlockingPoolErrorKind, options?: { cause?: unknown; message?: string }) {
    super(
      CODES[kind],
      options?.message ?? MESSAGES[kind],
      options?.cause === undefined ? undefined : { cause: options.cause },
    );
    this.kind = kind;
  }

  /** True when the job never started (`cancelled`, `closed`, `spawnFailed`). */
  neverRan(): boolean {
    return this.kind !== 'terminated';
  }
}
