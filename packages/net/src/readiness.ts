/**
 * Readiness: tasks waiting for a socket to become readable (or acceptable, or writable).
 *
 * Sockets here follow Tokio's readiness model rather than handing data to a waiter: a
 * waiter is only told "something happened", and the task, once it runs again, takes the
 * data itself, synchronously. So a wait that is cancelled between the event and the task's
 * turn leaves the data where it was: cancel safety with no undo step. The wait is a core
 * Waiter, so the wake goes through the scheduler (polls counted, budget charged) and an
 * abort rejects it with `Cancelled`.
 */
import { CallbackWaiter, type Waiter } from '@skein/core/internal';

/** A set of tasks waiting for the same readiness event. */
export class Readiness {
  readonly #waiters = new Set<Waiter<void>>();

  /** Wait for the next `wake()`. Rejects with `Cancelled` when the task is aborted. */
  wait(): Promise<void> {
    const w = new CallbackWaiter<void>(this.#onCancel);
    if (w.pending) this.#waiters.add(w);
    return w.promise;
  }

  /** Wake every waiter: each re-checks the socket. */
  wake(): void {
    if (this.#waiters.size === 0) return;
    const ws = [...this.#waiters];
    this.#waiters.clear();
    for (const w of ws) w.wake(undefined);
  }

  /** Waiters parked right now. */
  get size(): number {
    return this.#waiters.size;
  }

  readonly #onCancel = (w: Waiter<void>): void => {
    this.#waiters.delete(w);
  };
}

/**
 * A one-shot completion (a write callback, `connect`, `listening`) as a runtime await:
 * settled through the scheduler, rejected with `Cancelled` on abort (the operation itself
 * is not undone; callers say what that means in their "Cancel safety" notes).
 */
export function completion<T = void>(
  onCancel?: () => void,
): { promise: Promise<T>; done(value: T): void; fail(err: unknown): void } {
  const w = new CallbackWaiter<T>(() => onCancel?.());
  return {
    promise: w.promise,
    done: (value: T) => {
      w.wake(value);
    },
    fail: (err: unknown) => {
      w.fail(err);
    },
  };
}
