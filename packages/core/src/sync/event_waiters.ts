/**
 * Tasks waiting for one event that wakes them all: a channel's other side closing, a
 * watch value changing, a broadcast value arriving. Tokio keeps such waiters in a `Notify`
 * or a waiter list per channel; every channel here needs the same three moves (park a
 * cancel-safe waiter, unlink it if its task is cancelled, wake everyone), so they live
 * here once.
 */
import type { Waiter } from '../task/waiter.js';
import { QueuedWaiter, WaitList } from './wait_list.js';

/** A FIFO set of tasks parked until the next {@link EventWaiters.wakeAll}. */
export class EventWaiters {
  readonly #list = new WaitList<QueuedWaiter<void>>();

  /** A cancelled waiter that was not yet woken leaves the list. */
  readonly #onCancel = (w: Waiter<void>, woken: boolean): void => {
    if (!woken) this.#list.remove(w as QueuedWaiter<void>);
  };

  /**
   * A runtime await that resolves at the next `wakeAll()` (through the scheduler).
   * Cancel safety: cancel-safe. Errors: rejects with `Cancelled` when the task is cancelled.
   */
  wait(): Promise<void> {
    const w = new QueuedWaiter<void>(this.#onCancel);
    if (w.pending) this.#list.pushBack(w);
    return w.promise;
  }

  /** Wake every parked task, in the order they parked. */
  wakeAll(): void {
    for (const w of this.#list.takeAll()) w.wake(undefined);
  }

  /** True when nobody waits. */
  isEmpty(): boolean {
    return this.#list.isEmpty();
  }
}
