/**
 * `Notify`: Tokio's task notification, a FIFO wait list plus at most one stored permit.
 *
 * Why a stored permit: `notifyOne()` with nobody waiting must not be lost, or the classic
 * "check condition, then wait" pattern races (the notification lands between the check and
 * the wait). Storing at most one permit, as Tokio does, closes that window without turning
 * Notify into a counting semaphore. `notifyWaiters()` is the opposite tool: it wakes only
 * those waiting now and stores nothing.
 *
 * `notified()` registers its waiter at once (Tokio's `Notified::enable` done eagerly), so a
 * `notifyWaiters()` that comes after the call reaches it even before the task awaits it.
 *
 * Cancellation follows Tokio: a waiter cancelled while queued just leaves; one that was
 * picked by `notifyOne` / `notifyLast` but cancelled before its task resumed passes the
 * notification on (to the next waiter, or into the stored permit), so a timeout or an
 * abort never swallows a wake-up. A notification from `notifyWaiters` is not passed on.
 */
import { coop } from '../task/yield_now.js';
import type { Waiter } from '../task/waiter.js';
import { QueuedWaiter, WaitList } from './wait_list.js';

/** How a waiter was picked; decides whether a cancelled one passes the wake-up on. */
const BY_ALL = 0;
const BY_ONE = 1;
const BY_LAST = 2;

class NotifyWaiter extends QueuedWaiter<void> {
  by = BY_ALL;
}

/** Tokio's `Notify`: wake one task (FIFO or LIFO), or every waiting task. */
export class Notify {
  #permit = false;
  readonly #waiters = new WaitList<NotifyWaiter>();

  /**
   * Wait for a notification. Consumes the stored permit if there is one.
   * Cancel safety: cancel-safe. A cancelled wait leaves the queue; a notifyOne/notifyLast
   * wake-up it had already received is passed to the next waiter (or stored).
   * Errors: `Cancelled` when the task is cancelled.
   */
  notified(): Promise<void> {
    if (this.#permit) {
      const c = coop();
      if (c !== undefined) return c.then(() => this.notified());
      this.#permit = false;
      return Promise.resolve();
    }
    const w = new NotifyWaiter(this.#onCancel);
    if (w.pending) this.#waiters.pushBack(w);
    return w.promise;
  }

  /** Wake the oldest waiter, or store one permit when nobody waits (at most one). */
  notifyOne(): void {
    this.#notify(BY_ONE);
  }

  /** Wake the newest waiter, or store one permit when nobody waits (Tokio's `notify_last`). */
  notifyLast(): void {
    this.#notify(BY_LAST);
  }

  /** Wake every task waiting right now. Stores no permit; later `notified()` calls wait. */
  notifyWaiters(): void {
    for (const w of this.#waiters.takeAll()) {
      w.by = BY_ALL;
      w.wake(undefined);
    }
  }

  /** Waiters queued right now (a diagnostic). */
  waiterCount(): number {
    return this.#waiters.size;
  }

  #notify(by: number): void {
    const list = this.#waiters;
    for (;;) {
      const w = by === BY_LAST ? list.popBack() : list.popFront();
      if (w === null) {
        this.#permit = true;
        return;
      }
      w.by = by;
      if (w.wake(undefined)) return;
    }
  }

  readonly #onCancel = (w: Waiter<void>, woken: boolean): void => {
    const nw = w as NotifyWaiter;
    if (!woken) this.#waiters.remove(nw);
    else if (nw.by !== BY_ALL) this.#notify(nw.by);
  };
}
