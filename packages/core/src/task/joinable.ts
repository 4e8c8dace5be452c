/**
 * What a JoinHandle needs from the thing it joins. A task on this thread implements it
 * ({@link Task}); so do blocking-pool jobs and tasks running on another worker thread,
 * which is how one `JoinHandle` class serves every kind of spawn.
 */
import type { JoinError } from '../errors/join_error.js';

/** What {@link Joinable.joinNow} returns when the await must take the full path. */
export const NOT_READY: unique symbol = Symbol('skein.join.notReady');

/** A spawned unit of work that can be awaited and aborted. */
export interface Joinable<T> {
  readonly id: number;
  /** Abort it. The handle settles with a cancelled JoinError at once. Idempotent. */
  abort(): void;
  /** True once the handle has an outcome (value, panic or cancellation). */
  isFinished(): boolean;
  /** A promise for the outcome: the value, or a rejection with JoinError. Marks it observed. */
  join(): Promise<T>;
  /** Call `listener` once with the outcome (immediately if already settled). */
  onSettled(listener: (ok: boolean, value: T | JoinError) => void): void;
  /**
   * The value, when `await handle` may complete now on V8's native path (see JoinHandle):
   * the task returned, the awaiting scope is not cancelled, and the awaiting task's
   * cooperative budget had a unit left, which this charges. Otherwise {@link NOT_READY}, and
   * the await goes through `join`, which handles every case. Marks it observed when ready.
   */
  joinNow(): T | typeof NOT_READY;
  /** Suppress the "never awaited" panic log: someone else (a JoinSet) reports the outcome. */
  markObserved(): void;
}
