/**
 * `Barrier`: Tokio's barrier. `n` tasks call `wait()`; the n-th arrival releases them all
 * and is the *leader* of that generation (exactly one per generation), then the barrier
 * resets for the next round.
 *
 * Why the leader is the last arrival: it is the only task that knows, synchronously, that
 * the round is complete, so it can return at once while the others are woken. Like Tokio's
 * `Barrier::wait` this is not cancel safe in one sense: a task cancelled after arriving
 * still counts toward the current generation (its arrival can't be undone without
 * breaking the count for the others), so the round completes with n arrivals as usual.
 */
import { assertNumber } from '../errors/invalid_argument.js';
import { coop } from '../task/yield_now.js';
import type { Waiter } from '../task/waiter.js';
import { QueuedWaiter, WaitList } from './wait_list.js';

/** What `Barrier.wait` resolves with (Tokio's `BarrierWaitResult`). */
export interface BarrierWaitResult {
  /** True for exactly one task per generation: the one whose arrival completed it. */
  readonly isLeader: boolean;
}

const LEADER: BarrierWaitResult = Object.freeze({ isLeader: true });
const FOLLOWER: BarrierWaitResult = Object.freeze({ isLeader: false });

/** Tokio's `Barrier`: a rendezvous for `n` tasks, reusable round after round. */
export class Barrier {
  readonly #n: number;
  #arrived = 0;
  #generation = 0;
  readonly #waiters = new WaitList<QueuedWaiter<BarrierWaitResult>>();

  /** `n` = 0 behaves as 1, as in Tokio. Errors: RangeError for a negative or non-integer `n`. */
  constructor(n: number) {
    assertNumber(n, 'n', 0, true);
    this.#n = n === 0 ? 1 : n;
  }

  /** Completed generations so far. */
  get generation(): number {
    return this.#generation;
  }

  /**
   * Arrive and wait for the other `n - 1`.
   * Cancel safety: a cancelled waiter stops waiting but its arrival still counts (Tokio
   * documents `wait` as not cancel safe for the same reason).
   * Errors: `Cancelled` when the task is cancelled.
   */
  wait(): Promise<BarrierWaitResult> {
    if (this.#arrived + 1 >= this.#n) {
      const c = coop();
      if (c !== undefined) return c.then(() => this.wait());
      this.#arrived = 0;
      this.#generation++;
      for (const w of this.#waiters.takeAll()) w.wake(FOLLOWER);
      return Promise.resolve(LEADER);
    }
    const w = new QueuedWaiter<BarrierWaitResult>(this.#onCancel);
    if (!w.pending) return w.promise;
    this.#arrived++;
    this.#waiters.pushBack(w);
    return w.promise;
  }

  readonly #onCancel = (w: Waiter<BarrierWaitResult>, woken: boolean): void => {
    if (!woken) this.#waiters.remove(w as QueuedWaiter<BarrierWaitResult>);
  };
}
