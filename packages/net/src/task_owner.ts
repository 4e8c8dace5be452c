/**
 * Rust's Drop for a socket held by a task: the socket belongs to the last task that did I/O
 * on it, and aborting that task closes it.
 *
 * JavaScript can't see a value move into a task the way Rust does, so ownership is taken
 * at use: each I/O call from a task other than the current owner moves the binding there.
 * A socket handed to a spawned task (`spawn(() => serve(stream))`) therefore belongs to
 * that task from its first read or write, and the task that accepted it can be aborted
 * without touching it.
 */
import { currentTask } from '@skein/core';

/** Binds a socket's cleanup to the abort signal of the task using it. */
export class TaskOwner {
  #signal: AbortSignal | undefined;
  readonly #onAbort: () => void;

  /** `onAbort` runs once, when the owning task is aborted. */
  constructor(onAbort: () => void) {
    this.#onAbort = () => {
      this.#signal = undefined;
      onAbort();
    };
  }

  /** Make the current task (if any) the owner. Cheap when it already is. */
  claim(): void {
    const signal = currentTask()?.signal;
    if (signal === undefined || signal === this.#signal) return;
    this.release();
    if (signal.aborted) {
      this.#onAbort();
      return;
    }
    this.#signal = signal;
    signal.addEventListener('abort', this.#onAbort, { once: true });
  }

  /** Forget the owner: its abort no longer closes anything. */
  release(): void {
    this.#signal?.removeEventListener('abort', this.#onAbort);
    this.#signal = undefined;
  }
}
