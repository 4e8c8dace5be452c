/**
 * Whether one worker's loop is parked or searching: the state Tokio keeps in a worker's
 * `Core` (`is_searching`) and its park/unpark handshake with `Idle`.
 *
 * Three parties read it: the loop (which parks and searches), a spawn from a task on this
 * worker (which wakes a sibling only when nobody searches), and the worker's core
 * Scheduler, whose `onBusy` is {@link ParkState.wakeForOwnTask}: a timer or I/O callback that
 * resumed a task while the loop is parked takes the worker out of the sleeper set, since
 * the task may compute for long and a parked worker is where spawners send new work.
 */
import { T_SEARCHING, type SharedState } from './shared_state.js';

/** The park/search state of worker `me`. */
export class ParkState {
  /** The loop waits in its Parker. */
  parked = false;
  /** {@link wakeSelf} is waking the parked loop; `wakeSearching`: whether Idle counts it as searching. */
  waking = false;
  wakeSearching = false;
  /** The loop is looking for work to steal (published in the thread's searching word). */
  searching = false;
  /** Unparked because a task of this thread resumed (not for new work): don't linger. */
  ownWake = false;
  readonly #sh: SharedState;
  readonly #me: number;
  readonly #searchIdx: number;

  constructor(sh: SharedState, me: number) {
    this.#sh = sh;
    this.#me = me;
    this.#searchIdx = sh.threadWord(me, T_SEARCHING);
  }

  /**
   * The core Scheduler's `onBusy`: a task of this thread resumed while the loop is parked.
   * Tokio doesn't make a worker its driver woke a searcher; here, lingering then would also
   * nap on the thread those tasks run on (each cross-thread wake of a sharedMpsc producer
   * or SharedMutex waiter cost a nap of 3 × LINGER_NAP_MS plus the OS's timer slack: ~2k
   * per million messages).
   */
  readonly wakeForOwnTask = (): void => {
    if (this.parked) this.ownWake = true;
    this.wakeSelf();
  };

  /** Unpark the loop (from its own thread), leaving the sleeper set now. */
  readonly wakeSelf = (): void => {
    if (!this.parked || this.waking) return;
    this.waking = true;
    this.wakeSearching = !this.#sh.layout.idle.unparkWorkerById(this.#me);
    this.#sh.layout.parkers[this.#me]!.unpark();
  };

  /** Whether this worker counts as searching, a wake-up in progress included. */
  get searchingNow(): boolean {
    return this.parked ? this.wakeSearching : this.searching;
  }

  setSearching(on: boolean): void {
    this.searching = on;
    Atomics.store(this.#sh.control, this.#searchIdx, on ? 1 : 0);
  }
}
