/**
 * The per-thread run queue and the cooperative budget.
 *
 * Everything that resumes a task goes through here: starting a spawned task, and every
 * wake of a runtime await ({@link Waiter}). That gives the scheduler the three things
 * Tokio's scheduler has and a bare event loop doesn't:
 *
 * - **Polls are counted.** Each run-queue entry is one poll of one task.
 * - **A budget.** After {@link BUDGET} polls without a macrotask turn, the queue stops
 *   draining on microtasks and continues from `setImmediate`, so a task spinning on an
 *   always-ready channel can't starve timers or I/O. Ready fast paths charge a per-task
 *   budget through {@link Scheduler.coop}, like
 *   Tokio's `coop::poll_proceed`.
 * - **Busy time.** A drain batch is timed from its start until the microtask queue has run
 *   the continuations it resumed (a microtask queued after the batch marks the end), which
 *   costs two clock reads per batch rather than two per poll.
 */
import { createHistogram, performance, type RecordableHistogram } from 'node:perf_hooks';
import type { LocalTask } from '../task/task.js';
import type { TaskRecorder } from '../task/tracking.js';
import { Deque } from '../util/deque.js';

/**
 * Microtasks are queued as reactions on a settled promise rather than with
 * `queueMicrotask`, which wraps every callback in an AsyncResource (async_hooks init,
 * before, after and destroy): a reaction costs less than half as much on Node 20 and 24.
 */
const RESOLVED = Promise.resolve();
const promiseThen = Promise.prototype.then;

/** Something the run queue can resume: a task start or a waiter's wake. */
export interface Runnable {
  run(): void;
  /** The task it resumes (task tracking attributes the poll to it). */
  readonly task: LocalTask<unknown> | undefined;
}

/**
 * Microtask hops a tracked poll waits before it ends: a wake resumes its task through up to
 * two promise jobs (a JoinHandle, a rejection), which must run inside the poll they belong to.
 */
const TRACKED_POLL_HOPS = 3;

/**
 * A tracked first poll that finished its task within this long (ms) goes into the poll-time
 * histogram with the others of its run, as their mean (as untracked polls go in by batch):
 * a histogram sample cost about a third of what tracking added to such a task (spawn_many).
 * Other polls are recorded one by one.
 */
const QUICK_POLL_MS = 0.01;

/** Polls allowed between two macrotask turns (Tokio's coop budget). */
export const BUDGET = 128;
const USED_BITS = 8;
const USED_MASK = (1 << USED_BITS) - 1;
const EPOCH_MASK = (1 << 22) - 1;

/** Counters kept by one scheduler; exposed through `RuntimeMetrics.worker(i)`. */
export class SchedulerCounters {
  pollCount = 0;
  busyMs = 0;
  parkCount = 0;
  unparkCount = 0;
  budgetForcedYieldCount = 0;
  localScheduleCount = 0;
  /**
   * Poll durations in nanoseconds: one sample per batch of polls, the batch's mean (a
   * sample per poll would cost more than a tiny task's poll itself).
   */
  readonly pollTimeNs: RecordableHistogram;

  /** `pollTimeNs` may be a histogram another thread reads (a copy made by postMessage shares it). */
  constructor(pollTimeNs: RecordableHistogram = createHistogram()) {
    this.pollTimeNs = pollTimeNs;
  }
}

/** What a {@link Scheduler} is built with; every field is optional. */
export interface SchedulerOptions {
  /** Where to count (default: counters of its own; a worker's poll times go to shared memory). */
  readonly counters?: SchedulerCounters;
  /** Task tracking, when it is on. */
  readonly tracker?: TaskRecorder;
  /** Called when the queue runs dry (the thread would park): paused-clock auto-advance. */
  readonly onIdle?: () => void;
  /**
   * Called when the queue gets work after `onIdle`: a multi-thread worker whose loop
   * parked is running task code again, and must not look idle to other threads meanwhile.
   */
  readonly onBusy?: () => void;
  /**
   * Called before each run of the queue, ahead of every runnable in it: a multi-thread
   * worker takes the abort notices that reached it, so a wake-up another thread sent after
   * `abort()` finds the task cancelled (Tokio checks the abort bit before each poll).
   */
  readonly beforeDrain?: () => void;
}

/** One thread's run queue. The runtime owns one per thread it runs tasks on. */
export class Scheduler {
  readonly counters: SchedulerCounters;
  /** Task tracking, when on: polls then run one at a time, each timed and attributed. */
  readonly tracker: TaskRecorder | undefined;
  /**
   * Counts polls. A task's ready-await budget is fresh whenever this has moved since it
   * last charged it: Tokio gives each poll of a task its own budget, and a JavaScript task
   * is "polled" whenever the run queue resumes anything, since its continuation runs then.
   */
  pollEpoch = 0;
  readonly #onIdle: (() => void) | undefined;
  readonly #onBusy: (() => void) | undefined;
  readonly #beforeDrain: (() => void) | undefined;
  readonly #queue = new Deque<Runnable>();

  constructor(opts: SchedulerOptions = {}) {
    this.counters = opts.counters ?? new SchedulerCounters();
    this.tracker = opts.tracker;
    this.#onIdle = opts.onIdle;
    this.#onBusy = opts.onBusy;
    this.#beforeDrain = opts.beforeDrain;
  }
  #deferred: { wake(v: undefined): boolean }[] = [];
  #budgetUsed = 0;
  #drainPending = false;
  #turnPending = false;
  #deferPending = false;
  #idle = true;
  #batchStart = -1;
  #batchPolls = 0;
  #trackedHops = 0;
  /** Tracked polls of the current run that finished their task at once within QUICK_POLL_MS, and their total time. */
  #quickPolls = 0;
  #quickMs = 0;

  /** Queue a runnable. Drains on a microtask, or after the next turn if the budget is spent. */
  schedule(r: Runnable): void {
    this.#queue.push(r);
    this.counters.localScheduleCount++;
    if (this.tracker !== undefined) this.tracker.woken(r.task);
    if (this.#idle) this.#leaveIdle();
    if (!this.#drainPending) {
      this.#drainPending = true;
      if (this.#budgetUsed >= BUDGET) this.#ensureTurn();
      else promiseThen.call(RESOLVED, this.#drainFromMicrotask);
    }
  }

  /**
   * Charge `task`'s budget for a runtime await that is ready at once: {@link BUDGET} per
   * poll, per task (Tokio's rule). Returns false to proceed synchronously, true when the
   * budget is spent: the caller must wait for the next turn (see `yieldNow`) before doing
   * its operation, so nothing is consumed and then lost if the task is cancelled meanwhile.
   * A per-thread budget would make many tasks doing ready awaits herd through setImmediate
   * one operation each (3.2M forced yields for 1M broadcast receives, measured).
   */
  coop(task: { coop: number }): boolean {
    if (this.tryCharge(task)) return false;
    this.counters.budgetForcedYieldCount++;
    return true;
  }

  /**
   * Charge one unit of `task`'s budget if any is left (true), else leave it and count
   * nothing (false): for a caller that falls back to a path calling {@link coop}.
   */
  tryCharge(task: { coop: number }): boolean {
    // One field per task holds both the epoch it last charged in (low 22 bits of it, above
    // bit 8) and how much it used then: a million tasks pay 8 bytes for each field. Two
    // epochs that agree in 22 bits at worst let a task continue a spent budget: one early yield.
    const epoch = this.pollEpoch & EPOCH_MASK;
    let c = task.coop;
    if (c >>> USED_BITS !== epoch) c = epoch << USED_BITS;
    if ((c & USED_MASK) >= BUDGET) return false;
    task.coop = c + 1;
    return true;
  }

  /** Wake `w` after the event loop has had a macrotask turn (timers and I/O first). */
  defer(w: { wake(v: undefined): boolean }): void {
    this.#deferred.push(w);
    // A deferred wake is work too: a paused clock must not auto-advance past it.
    if (this.#idle) this.#leaveIdle();
    // An immediate of its own, queued now: the budget turn may have been queued long ago,
    // ahead of immediates that user code queued since, which must run before `w` resumes.
    if (!this.#deferPending) {
      this.#deferPending = true;
      setImmediate(this.#onDeferTurn);
    }
  }

  #leaveIdle(): void {
    this.#idle = false;
    this.counters.unparkCount++;
    this.#onBusy?.();
  }

  /** Runnables waiting to be polled. */
  get queueDepth(): number {
    return this.#queue.length + this.#deferred.length;
  }

  #ensureTurn(): void {
    if (!this.#turnPending) {
      this.#turnPending = true;
      setImmediate(this.#onTurn);
    }
  }

  readonly #onTurn = (): void => {
    this.#turnPending = false;
    this.#budgetUsed = 0;
    this.#drain();
  };

  readonly #onDeferTurn = (): void => {
    this.#deferPending = false;
    const d = this.#deferred;
    this.#deferred = [];
    for (let i = 0; i < d.length; i++) d[i]!.wake(undefined);
    // Every deferred waiter may have been cancelled meanwhile: nothing was queued, so this
    // is where the scheduler finds out it is idle.
    if (this.#queue.length === 0 && !this.#drainPending) this.#maybePark();
  };

  readonly #drainFromMicrotask = (): void => {
    this.#drain();
  };

  /** `chained`: a tracked poll has just ended (see TaskRecorder.beginPoll). */
  #drain(chained = false): void {
    // Still marked pending: what it wakes joins this drain rather than queueing another.
    this.#beforeDrain?.();
    this.#drainPending = false;
    const q = this.#queue;
    if (q.length === 0) {
      this.#maybePark();
      return;
    }
    if (this.tracker !== undefined) {
      this.#pollTracked(this.tracker, chained);
      return;
    }
    const newBatch = this.#batchStart < 0;
    if (newBatch) this.#batchStart = performance.now();
    let polls = 0;
    while (q.length > 0) {
      if (this.#budgetUsed >= BUDGET) {
        this.counters.budgetForcedYieldCount++;
        this.#drainPending = true;
        this.#ensureTurn();
        break;
      }
      if (this.#budgetUsed++ === 0) this.#ensureTurn();
      const r = q.shift()!;
      polls++;
      this.pollEpoch++;
      r.run();
    }
    this.#batchPolls += polls;
    this.counters.pollCount += polls;
    // Queued after the loop, so it runs after the continuations the loop resumed (their
    // reactions were queued as each waiter settled): the batch's busy time includes them.
    if (newBatch) promiseThen.call(RESOLVED, this.#endBatch);
  }

  readonly #endBatch = (): void => {
    const ms = performance.now() - this.#batchStart;
    this.#batchStart = -1;
    const c = this.counters;
    c.busyMs += ms;
    if (this.#batchPolls > 0) {
      c.pollTimeNs.record(Math.max(1, Math.round((ms * 1e6) / this.#batchPolls)));
      this.#batchPolls = 0;
    }
    if (this.#queue.length === 0 && !this.#drainPending) this.#maybePark();
  };

  /**
   * Tracking on: run one runnable, and end its poll once the microtasks it resumed have run
   * (see TRACKED_POLL_HOPS); the drain continues from there. Same order as the batch
   * drain, one poll at a time, so each is timed and charged to its task. A task start whose
   * body returned at once has nothing left to resume: its poll ends at once and the drain
   * goes on without the hops (most polls of a spawn-heavy load are such).
   */
  #pollTracked(tracker: TaskRecorder, chainedFirst: boolean): void {
    const q = this.#queue;
    let chained = chainedFirst;
    while (q.length > 0) {
      if (this.#budgetUsed >= BUDGET) {
        this.counters.budgetForcedYieldCount++;
        this.#drainPending = true;
        this.#ensureTurn();
        this.#recordQuickPolls();
        return;
      }
      if (this.#budgetUsed++ === 0) this.#ensureTurn();
      const r = q.shift()!;
      this.pollEpoch++;
      // The end of this poll continues the drain: no other drain may start meanwhile.
      this.#drainPending = true;
      tracker.beginPoll(r.task, chained);
      r.run();
      if (r.task !== r || !r.task.bodyFinished()) {
        this.#trackedHops = TRACKED_POLL_HOPS;
        promiseThen.call(RESOLVED, this.#endTrackedPoll);
        this.#recordQuickPolls();
        return;
      }
      const ms = tracker.endPoll();
      if (ms > QUICK_POLL_MS) {
        this.#countTrackedPoll(ms);
      } else {
        this.#quickPolls++;
        this.#quickMs += ms;
      }
      this.#drainPending = false;
      chained = true;
    }
    this.#recordQuickPolls();
    this.#maybePark();
  }

  readonly #endTrackedPoll = (): void => {
    if (--this.#trackedHops > 0) {
      promiseThen.call(RESOLVED, this.#endTrackedPoll);
      return;
    }
    this.#countTrackedPoll(this.tracker!.endPoll());
    this.#drain(true);
  };

  /** Count `n` tracked polls that took `ms` in all; the histogram gets their mean as one sample. */
  #countTrackedPoll(ms: number, n = 1): void {
    const c = this.counters;
    c.pollCount += n;
    c.busyMs += ms;
    c.pollTimeNs.record(Math.max(1, Math.round((ms * 1e6) / n)));
  }

  /** A run of tracked polls ends: its quick ones are counted, and go into the histogram as one sample. */
  #recordQuickPolls(): void {
    if (this.#quickPolls === 0) return;
    this.#countTrackedPoll(this.#quickMs, this.#quickPolls);
    this.#quickPolls = 0;
    this.#quickMs = 0;
  }

  #maybePark(): void {
    if (this.#idle || this.#deferred.length > 0) return;
    this.#idle = true;
    this.counters.parkCount++;
    this.#onIdle?.();
  }
}
