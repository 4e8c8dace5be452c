/**
 * Waiting for aborted tasks' cleanup, as shutdown does: tasks parked on a runtime await run
 * their `finally` blocks once aborted, and shutdown resolves when they have.
 *
 * Shutting down a million sleeping tasks must not cost a promise, a closure or a side
 * object per task: a task shutdown waits for carries one flag bit, and its runtime's one
 * {@link CleanupWait} counts them down as their bodies finish.
 */
import type { RuntimeCore } from '../runtime/runtime_core.js';
import type { LocalTask } from './task.js';

const waits = new WeakMap<RuntimeCore, CleanupWait>();

/** The tasks of one runtime whose cleanup shutdown waits for. */
export class CleanupWait {
  /** Resolves once every task {@link add}ed has finished its body (after {@link close}). */
  readonly done: Promise<void>;
  #pending = 1;
  #wake!: () => void;

  constructor(runtime: RuntimeCore) {
    this.done = new Promise<void>((resolve) => (this.#wake = resolve));
    waits.set(runtime, this);
  }

  /** Wait for `t` if it is parked on a runtime await. Call it before aborting `t`. */
  add(t: LocalTask<unknown>): void {
    if (t.awaitCleanup()) this.#pending++;
  }

  /** Every task has been added. */
  close(): void {
    this.#one();
  }

  #one(): void {
    if (--this.#pending === 0) this.#wake();
  }

  /** @internal A task whose cleanup is awaited finished its body. */
  static bodyFinished(runtime: RuntimeCore): void {
    const w = waits.get(runtime);
    if (w !== undefined) w.#one();
  }
}
