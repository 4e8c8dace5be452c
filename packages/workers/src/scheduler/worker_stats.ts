/**
 * One worker's figures for `runtime.metrics()`: Tokio's `stats.rs` beside its worker loop.
 *
 * The loop counts parks, unparks, local schedules and its own busy time here; the core
 * scheduler counts polls and forced yields. `publish()` copies them all into this worker's
 * row of shared memory, where the main thread reads them without asking the worker.
 */
import type { SchedulerCounters } from '@skein/core/internal';
import {
  M_BUDGET_YIELDS,
  M_BUSY_MS,
  M_LOCAL_SCHEDULE,
  M_LOOP_ACTIVE_MS,
  M_LOOP_IDLE_MS,
  M_PARKS,
  M_POLLS,
  M_UNPARKS,
  type SharedState,
} from './shared_state.js';

/** Least time between two publications of the event-loop utilisation (see publishWithLoop). */
const LOOP_PUBLISH_MS = 50;

/** The worker loop's counters and their publication. */
export class WorkerStats {
  parks = 0;
  unparks = 0;
  localSchedules = 0;
  /** Milliseconds spent in loop ticks (task starts), beside the core scheduler's busy time. */
  busyMs = 0;
  /** Tasks started (first polls) by the loop: polls the core scheduler never sees. */
  starts = 0;
  readonly #sh: SharedState;
  readonly #me: number;
  readonly #counters: SchedulerCounters;
  #loopPublishedAt = -Infinity;
  #loopTimer: NodeJS.Timeout | undefined = undefined;

  /** `counters`: the worker's core scheduler's. */
  constructor(sh: SharedState, me: number, counters: SchedulerCounters) {
    this.#sh = sh;
    this.#me = me;
    this.#counters = counters;
  }

  /** Copy this worker's counters into shared memory (read by runtime.metrics()). */
  publish(): void {
    const sh = this.#sh;
    const m = sh.metrics;
    const c = this.#counters;
    const me = this.#me;
    m[sh.metric(me, M_POLLS)] = c.pollCount + this.starts;
    m[sh.metric(me, M_PARKS)] = this.parks;
    m[sh.metric(me, M_UNPARKS)] = this.unparks;
    m[sh.metric(me, M_BUSY_MS)] = c.busyMs + this.busyMs;
    m[sh.metric(me, M_LOCAL_SCHEDULE)] = this.localSchedules;
    m[sh.metric(me, M_BUDGET_YIELDS)] = c.budgetForcedYieldCount;
  }

  /**
   * Publish the counters and, at most every {@link LOOP_PUBLISH_MS} unless `force`, the
   * thread's event-loop utilisation, which changes only across event-loop turns: reading
   * it allocates, and tiny_tasks measured about 40% slower reading it at every turn.
   */
  publishWithLoop(force = false): void {
    this.publish();
    const now = performance.now();
    const wait = LOOP_PUBLISH_MS - (now - this.#loopPublishedAt);
    if (!force && wait > 0) {
      // Skipped, but not lost: a worker that parks for good right after this would leave
      // its utilisation stale forever (a metrics reader waiting for it hung). One timer
      // publishes it when the window ends; it never keeps the thread alive.
      this.#loopTimer ??= setTimeout(this.#publishLoopLater, wait).unref();
      return;
    }
    this.#publishLoop(now);
  }

  readonly #publishLoopLater = (): void => {
    this.#loopTimer = undefined;
    this.#publishLoop(performance.now());
  };

  #publishLoop(now: number): void {
    if (this.#loopTimer !== undefined) {
      clearTimeout(this.#loopTimer);
      this.#loopTimer = undefined;
    }
    this.#loopPublishedAt = now;
    const sh = this.#sh;
    const elu = performance.eventLoopUtilization();
    sh.metrics[sh.metric(this.#me, M_LOOP_ACTIVE_MS)] = elu.active;
    sh.metrics[sh.metric(this.#me, M_LOOP_IDLE_MS)] = elu.idle;
  }
}
