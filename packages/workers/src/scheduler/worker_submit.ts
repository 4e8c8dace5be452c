/**
 * Where a task spawned by a task on this worker is queued: Tokio's `schedule_local`.
 *
 * Into the LIFO slot, its previous occupant to the back of the local deque (a parent that
 * spawns a child and awaits it finds it hot); a sibling is woken if this worker has more
 * queued than it will run next and nobody searches; the loop unparks if it sleeps.
 */
import type { ParkState } from './park_state.js';
import { T_LIFO, type SharedState } from './shared_state.js';
import type { WorkerStats } from './worker_stats.js';

/** The local spawn queueing of worker `me`. */
export class WorkerSubmit {
  readonly #sh: SharedState;
  readonly #me: number;
  readonly #disableLifoSlot: boolean;
  readonly #stats: WorkerStats;
  readonly #park: ParkState;
  readonly #lifoIdx: number;

  constructor(sh: SharedState, me: number, disableLifoSlot: boolean, stats: WorkerStats, park: ParkState) {
    this.#sh = sh;
    this.#me = me;
    this.#disableLifoSlot = disableLifoSlot;
    this.#stats = stats;
    this.#park = park;
    this.#lifoIdx = sh.threadWord(me, T_LIFO);
  }

  /** Queue slot reference `ref` on this worker. */
  readonly submit = (ref: number): void => {
    const sh = this.#sh;
    const c = sh.control;
    const local = sh.layout.localQueues[this.#me]!;
    this.#stats.localSchedules++;
    if (!this.#disableLifoSlot) {
      const prev = c[this.#lifoIdx]!;
      c[this.#lifoIdx] = ref;
      if (prev !== 0) local.pushBackOrOverflow(prev, sh.layout.inject);
    } else {
      local.pushBackOrOverflow(ref, sh.layout.inject);
    }
    // A task here spawned while the loop sleeps (a timer or a completion resumed it):
    // leave the sleeper set now, so the check below can wake a sibling, not us.
    this.#park.wakeSelf();
    if (!this.#park.searchingNow && (c[this.#lifoIdx] !== 0 ? 1 : 0) + local.len() > 1) sh.wakeOne();
  };
}
