/**
 * Parks a task until a word of shared memory moves: the wake-up signal of the channels
 * whose waiters re-check the state on wake (watch, broadcast, oneshot, a barrier's
 * generation), as core's `EventWaiters` is for their in-thread namesakes.
 *
 * Each primitive keeps an EVENT word that every state change increments, then notifies.
 * A waiter reads EVENT *before* it looks at the state, and waits only while EVENT still
 * holds what it read: a change between the look and the wait makes `waitAsync` return at
 * once, so no wake-up is lost. Nothing is handed over, so cancelling has nothing to undo.
 *
 * Why not the permit core's queue: these wake every waiter on every change, which is one
 * `Atomics.notify` on one word here, whatever the number of threads; the queue's strength,
 * a FIFO hand-off of counted permits, is not needed.
 */
import { Waiter } from '@skein/core/internal';
import { RESOLVED, waitAsync } from '../shared/wait_async.js';
import { holdThread, letThreadGo } from './shared_wait.js';

/** A task parked until a promise of the shared-memory kind (`waitAsync`) settles; woken through its scheduler. */
class ParkedWaiter extends Waiter<void> {
  #held = false;

  constructor(until: Promise<unknown>) {
    super();
    if (!this.pending) return;
    this.#held = true;
    holdThread();
    void until.then(() => {
      this.#let();
      this.wake(undefined);
    });
  }

  #let(): void {
    if (this.#held) {
      this.#held = false;
      letThreadGo();
    }
  }

  protected override onCancel(): void {
    this.#let();
  }
}

/**
 * Parks the current task until `until` (a `waitAsync` promise, or a settled one) settles,
 * keeping the thread alive meanwhile (a pending `waitAsync` doesn't). Resolves through the
 * task's scheduler. Cancel safety: cancel-safe (nothing is handed over). Errors: `Cancelled`.
 */
export function parkUntil(until: Promise<unknown>): Promise<void> {
  return new ParkedWaiter(until).promise;
}

/**
 * Resolves (through the task's scheduler) once `w[index]` no longer holds `seen`, or
 * spuriously: callers re-check. Cancel safety: cancel-safe. Errors: `Cancelled`.
 */
export function wordChanged(w: Int32Array, index: number, seen: number): Promise<void> {
  const r = waitAsync(w, index, seen);
  return parkUntil(r.async ? r.value : RESOLVED);
}

/** Records a state change in EVENT word `index` and wakes every waiter of it, on every thread. */
export function signal(w: Int32Array, index: number): void {
  Atomics.add(w, index, 1);
  Atomics.notify(w, index);
}
