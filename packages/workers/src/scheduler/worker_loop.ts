/**
 * A worker's scheduling loop: Tokio's `multi_thread/worker.rs` `Context::run`, on an
 * event loop.
 *
 * Each tick takes one queued task, in Tokio's order:
 * 1. the **LIFO slot** (the task most recently spawned here; a parent that spawns a child
 *    and awaits it finds it hot), at most 3 times in a row so a spawn ping-pong can't
 *    starve the queue (disabled by `disableLifoSlot`);
 * 2. every `globalQueueInterval` ticks the **inject queue** first, for fairness;
 * 3. the **local deque**, refilled from the inject queue in a batch when empty;
 * 4. **stealing** half of a random sibling's deque, as one of at most half the workers
 *    that search at once (`Idle`);
 * 5. **parking** (`Parker`, `Atomics.waitAsync`), after the last searcher re-checks
 *    every queue. A spawner wakes a parked worker only when nobody is searching; a
 *    searcher that finds work wakes the next one (`Idle.workerToNotify`).
 *
 * Claiming a task and running its first poll are one step: the task becomes a core
 * LocalTask of this worker's runtime and runs up to its first await right away (its later
 * wakes go through the worker's core Scheduler like any task's). So a claimed task is
 * never left waiting unstarted, which matters because a claimed task can't be stolen, and
 * a run of tiny tasks costs no microtask or timer per task. When a poll wakes other
 * runnables, the loop lets the core scheduler run them first (fairness with woken tasks,
 * as in Tokio's shared run queue), and every `eventInterval` ticks it continues from
 * `setImmediate`, giving this thread's timers, I/O and messages a turn (Tokio's
 * `maintenance`). Task starts don't spend the core scheduler's coop budget; wakes do.
 *
 * While parked, started tasks keep running on the event loop (timers, completions from
 * the mailbox); a nested spawn from one of them unparks the loop (worker_submit.ts).
 *
 * The loop also drains this worker's {@link Inbox}: completions of the tasks it spawned and
 * abort notices for the tasks it runs.
 */
import type { Scheduler } from '@skein/core/internal';
import { RESOLVED } from '../shared/wait_async.js';
import type { Inbox } from './inbox.js';
import type { ParkState } from './park_state.js';
import { T_LIFO, type SharedState } from './shared_state.js';
import type { TaskRunner } from './task_runner.js';
import type { WorkerStats } from './worker_stats.js';

/** Tokio's cap on consecutive LIFO-slot polls. */
const MAX_LIFO_POLLS = 3;
const REFILL_MAX = 128;
/** Rounds and nap (ms) a searcher lingers before parking; see #linger. */
const LINGER_ROUNDS = 3;
const LINGER_NAP_MS = 0.02;

/** Loop settings (from the runtime config). */
export interface LoopConfig {
  readonly eventInterval: number;
  readonly globalQueueInterval: number;
  readonly disableLifoSlot: boolean;
}

/** What a worker's loop works with. */
export interface LoopParts {
  readonly cfg: LoopConfig;
  readonly runner: TaskRunner;
  readonly inbox: Inbox;
  /** The worker's core scheduler (its queue depth; poll-time samples). */
  readonly scheduler: Scheduler;
  readonly stats: WorkerStats;
  readonly park: ParkState;
}

/** The scheduling loop of worker `me`. */
export class WorkerLoop {
  readonly #sh: SharedState;
  readonly #me: number;
  readonly #cfg: LoopConfig;
  readonly #runner: TaskRunner;
  readonly #inbox: Inbox;
  readonly #scheduler: Scheduler;
  readonly #stats: WorkerStats;
  readonly #parkState: ParkState;
  readonly #lifoIdx: number;
  readonly #scratch = new Int32Array(REFILL_MAX);
  readonly #nap = new Int32Array(new SharedArrayBuffer(4));
  #tick = 0;
  #lifoPolls = 0;
  #mailboxArmed = false;
  #stopped = false;
  #rand: number;

  constructor(sh: SharedState, me: number, parts: LoopParts) {
    this.#sh = sh;
    this.#me = me;
    this.#cfg = parts.cfg;
    this.#runner = parts.runner;
    this.#inbox = parts.inbox;
    this.#scheduler = parts.scheduler;
    this.#stats = parts.stats;
    this.#parkState = parts.park;
    this.#lifoIdx = sh.threadWord(me, T_LIFO);
    this.#rand = (0x9e3779b9 ^ ((me + 1) * 2654435761)) | 0 || 1;
  }

  /** Start ticking. */
  start(): void {
    setImmediate(this.#step);
  }

  /** Stop for good (shutdown): the loop claims nothing more. */
  stop(): void {
    this.#stopped = true;
    if (this.#parkState.parked) this.#sh.layout.parkers[this.#me]!.unpark();
  }

  /**
   * A run of ticks, each claiming one task and running its first poll right here. It ends
   * when there is nothing to claim (park), after `eventInterval` ticks (an event-loop
   * turn), or when a task's poll woke other runnables on the core scheduler: those run
   * first (a microtask hop), as woken tasks interleave with new ones in Tokio's run queue.
   */
  readonly #step = (): void => {
    if (this.#stopped) return;
    const start = performance.now();
    const starts = this.#stats.starts;
    const interval = this.#cfg.eventInterval;
    const scheduler = this.#scheduler;
    for (;;) {
      // Shutdown has begun but its stop message may still be queued behind the task that
      // just held this thread: claim nothing more. The handles of queued tasks are already
      // cancelled, and a task cancelled before it started never starts.
      if (this.#sh.isShutdown) {
        this.#endStep(start, starts);
        return;
      }
      const tick = ++this.#tick;
      this.#inbox.drainSeen();
      let ref = this.#next(tick);
      if (ref === 0) ref = this.#steal();
      if (ref === 0 && this.#parkState.searching && this.#mayLinger()) ref = this.#linger();
      if (ref === 0) {
        this.#endStep(start, starts);
        this.#park();
        return;
      }
      if (this.#parkState.searching) this.#endSearch();
      this.#parkState.ownWake = false;
      const loading = this.#runner.start(ref);
      if (loading !== undefined) {
        // It can't run here yet (module or arguments still on their way): requeue it,
        // stealable, and resume once they are here.
        this.#requeue(ref);
        this.#endStep(start, starts);
        loading.then(this.#step, this.#step);
        return;
      }
      if (this.#stopped) return;
      if (this.#runner.startedPending) {
        // Its body awaits: let the microtasks run before the next start. A body that has
        // already returned then has its outcome stored (a task later in this run may kill
        // the thread with process.exit(), and a finished task must not be reported crashed),
        // and a body that goes on computing after an await does it now, while this worker
        // still counts as busy, rather than after the loop parked and looked idle.
        this.#stats.busyMs += performance.now() - start;
        RESOLVED.then(this.#stepAfterHop);
        return;
      }
      if (tick % interval === 0) {
        this.#endStep(start, starts);
        setImmediate(this.#stepAfterTurn);
        return;
      }
      if (scheduler.queueDepth > 0) {
        this.#endStep(start, starts);
        RESOLVED.then(this.#stepAfterHop);
        return;
      }
    }
  };

  /**
   * Account a step that began at `start` with `starts` tasks started before it: busy time,
   * and one poll-time sample, the mean of the first polls it ran (what the core scheduler
   * records for a batch of polls).
   */
  #endStep(start: number, starts: number): void {
    const ms = performance.now() - start;
    this.#stats.busyMs += ms;
    const polls = this.#stats.starts - starts;
    if (polls > 0) this.#scheduler.counters.pollTimeNs.record(Math.max(1, Math.round((ms * 1e6) / polls)));
  }

  /** Put a popped, unclaimed task back at the front of the line it came from (roughly). */
  #requeue(ref: number): void {
    const sh = this.#sh;
    const local = sh.layout.localQueues[this.#me]!;
    local.pushBackOrOverflow(ref, sh.layout.inject);
    this.#notifyParked(); // we won't run it for a while: let an idle sibling take it
  }

  /** After the core scheduler's drain; if it still has work, its budget is spent: yield. */
  readonly #stepAfterHop = (): void => {
    if (this.#scheduler.queueDepth > 0) setImmediate(this.#stepAfterTurn);
    else this.#step();
  };

  /** The loop after an event-loop turn: publish the counters, go on. */
  readonly #stepAfterTurn = (): void => {
    this.#stats.publishWithLoop();
    this.#step();
  };

  #next(tick: number): number {
    const sh = this.#sh;
    const c = sh.control;
    const local = sh.layout.localQueues[this.#me]!;
    const inject = sh.layout.inject;
    if (!this.#cfg.disableLifoSlot) {
      const t = c[this.#lifoIdx]!;
      if (t !== 0) {
        c[this.#lifoIdx] = 0;
        if (this.#lifoPolls < MAX_LIFO_POLLS) {
          this.#lifoPolls++;
          return t;
        }
        local.pushBackOrOverflow(t, inject);
      }
    }
    this.#lifoPolls = 0;
    if (tick % this.#cfg.globalQueueInterval === 0) {
      const t = inject.pop();
      if (t !== 0) return t;
    }
    const t = local.pop();
    if (t !== 0) return t;
    if (inject.isEmpty()) return 0;
    const share = Math.min(((inject.len() / sh.workers) | 0) + 1, local.remainingSlots(), REFILL_MAX);
    const got = inject.popBatch(this.#scratch, share);
    if (got === 0) return 0;
    if (got > 1) local.pushBackBatch(this.#scratch, 1, got - 1);
    return this.#scratch[0]!;
  }

  #steal(): number {
    const sh = this.#sh;
    if (!this.#parkState.searching) {
      if (!sh.layout.idle.transitionWorkerToSearching()) return 0;
      this.#parkState.setSearching(true);
    }
    const n = sh.workers;
    const queues = sh.layout.localQueues;
    const mine = queues[this.#me]!;
    let r = this.#rand;
    r ^= r << 13;
    r ^= r >>> 17;
    r ^= r << 5;
    this.#rand = r;
    const start = (r >>> 0) % n;
    for (let k = 0; k < n; k++) {
      const v = (start + k) % n;
      if (v === this.#me) continue;
      const t = queues[v]!.stealInto(mine);
      if (t !== 0) return t;
    }
    return sh.layout.inject.pop();
  }

  /**
   * Lingering naps the whole thread: not after a wake by its own tasks, nor while they have
   * runs queued here (a budget yield waiting for its turn would wait for the naps too).
   */
  #mayLinger(): boolean {
    return !this.#parkState.ownWake && this.#scheduler.queueDepth === 0;
  }

  /**
   * A searcher that found nothing stays searching a little longer before it parks. While
   * any worker searches, spawners don't wake anyone (`Idle.workerToNotify`), so a burst of
   * spawns arriving just after the queues ran dry costs the spawner nothing; waking a
   * parked worker costs a cross-thread notify and an event-loop wake-up on both sides.
   * Each round sleeps briefly in `Atomics.wait` (releasing the core, unlike a spin).
   */
  #linger(): number {
    const inject = this.#sh.layout.inject;
    for (let round = 0; round < LINGER_ROUNDS; round++) {
      Atomics.wait(this.#nap, 0, 0, LINGER_NAP_MS);
      if (!inject.isEmpty()) {
        const t = this.#next(this.#tick);
        if (t !== 0) return t;
      }
      const t = this.#steal();
      if (t !== 0) return t;
    }
    return 0;
  }

  #endSearch(): void {
    this.#parkState.setSearching(false);
    // The last searcher to find work wakes another, so remaining work keeps being found.
    if (this.#sh.layout.idle.transitionWorkerFromSearching()) this.#notifyParked();
  }

  #notifyParked(): void {
    this.#sh.wakeOne();
  }

  #park(): void {
    const sh = this.#sh;
    const idle = sh.layout.idle;
    this.#stats.parks++;
    this.#parkState.ownWake = false;
    this.#stats.publishWithLoop();
    const park = this.#parkState;
    if (idle.transitionWorkerToParked(this.#me, park.searching)) this.#notifyIfWorkPending();
    park.setSearching(false);
    park.parked = true;
    this.#armMailbox();
    sh.layout.parkers[this.#me]!.park().then(this.#onUnpark, this.#onUnpark);
  }

  readonly #onUnpark = (): void => {
    if (this.#stopped) return;
    const sh = this.#sh;
    const idle = sh.layout.idle;
    const park = this.#parkState;
    if (park.waking) {
      // wakeSelf() already took us out of the sleeper set.
      park.waking = false;
      park.setSearching(park.wakeSearching);
    } else if (sh.control[this.#lifoIdx] !== 0 || !sh.layout.localQueues[this.#me]!.isEmpty()) {
      // Work of our own (a spawn from a task here): we were not counted as searching.
      park.setSearching(!idle.unparkWorkerById(this.#me));
    } else if (idle.isParked(this.#me)) {
      sh.layout.parkers[this.#me]!.park().then(this.#onUnpark, this.#onUnpark); // spurious
      return;
    } else {
      park.setSearching(true); // woken by workerToNotify, which counted us as searching
    }
    park.parked = false;
    this.#stats.unparks++;
    // The park's idle time shows in the event-loop figures from now, not at the next park.
    this.#stats.publishWithLoop();
    this.#step();
  };

  /** The last searcher parks: make sure no queue holds work nobody is looking for. */
  #notifyIfWorkPending(): void {
    const sh = this.#sh;
    for (let i = 0; i < sh.workers; i++) {
      if (i !== this.#me && !sh.layout.localQueues[i]!.isEmpty()) {
        this.#notifyParked();
        return;
      }
    }
    if (!sh.layout.inject.isEmpty()) this.#notifyParked();
  }

  /** While parked, one waitAsync on the mailbox settles handles awaited by tasks here. */
  #armMailbox(): void {
    if (this.#mailboxArmed) return;
    this.#mailboxArmed = true;
    this.#inbox.waitAsync().then(this.#onMailbox, this.#onMailbox);
  }

  readonly #onMailbox = (): void => {
    this.#mailboxArmed = false;
    if (this.#stopped) return;
    this.#inbox.drain();
    if (this.#parkState.parked) this.#armMailbox();
  };
}
