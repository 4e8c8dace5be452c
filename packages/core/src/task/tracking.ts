/**
 * Task tracking (`Builder.taskTracking(true)`, `SKEIN_TRACKING=1`): what Tokio console's
 * instrumentation records per task, kept in a side object per task ({@link TaskRecord})
 * that exists only while tracking is on, so an untracked runtime pays one `undefined`
 * check where the scheduler queues and drains. A tracked task gets its record only once
 * something could show it (see spawn_stamp.ts): most tasks of a spawn-heavy load finish
 * in their first poll, and their figures then only feed the thread's.
 *
 * Each thread that runs tasks has one {@link TaskRecorder}, handed to its Scheduler at
 * construction. It times every poll (see Scheduler's tracked drain), moves each task
 * between busy, scheduled (woken, queued) and idle (parked), remembers what a parked task
 * awaits and where, and writes the warnings: `long-poll`, `never-yielded` (a poll over a
 * second) and `stuck` (parked longer than the stuck threshold on a promise the runtime
 * doesn't drive, or on a lock or semaphore whose holders all finished without releasing
 * it: see resource_tracking.ts), once per task and kind, at most
 * {@link WARNINGS_PER_SECOND} a second.
 */
import { WarningWindow } from './warning_window.js';
import { stuckReason } from './stuck_reason.js';
import type { Logger } from 'pino';
import { performance } from 'node:perf_hooks';
import { codeKey, readCallSite, SiteCache } from './call_site.js';
import { frames } from './context.js';
import type { LocalTask } from './task.js';
import { resourceTracking } from './resource_tracking.js';
import { SpawnStamp, SpawnStamps } from './spawn_stamp.js';
import { BUSY, IDLE, pollTimesOf, QUEUED, SCHEDULED, TaskRecord, type TaskPollTimes } from './task_record.js';

/** A poll longer than this is 'never-yielded' rather than 'long-poll' (Tokio console's lint). */
export const NEVER_YIELDED_MS = 1000;
/** Warnings written per thread per second at most; the rest are counted in the next one. */
export const WARNINGS_PER_SECOND = 10;

const W_LONG_POLL = 1;
const W_NEVER_YIELDED = 2;
const W_STUCK = 4;

/** What tracking needs from the runtime's configuration. */
export interface TrackingSettings {
  /** A poll longer than this is a 'long-poll' warning. */
  readonly longPollMs: number;
  /** Parked this long on a foreign promise is a 'stuck' warning. */
  readonly stuckMs: number;
}

/** The fields a task dump entry gains with tracking (see TaskDumpEntry). */
export interface TrackedDumpFields {
  readonly state: 'queued' | 'scheduled' | 'running' | 'idle';
  readonly spawnSite?: string;
  readonly waitingOn?: string;
  readonly polls: number;
  readonly wakes: number;
  readonly busyMs: number;
  readonly scheduledMs: number;
  readonly idleMs: number;
  readonly totalMs: number;
  readonly longestPollMs: number;
  /** Locks and semaphores it holds permits of, e.g. ['Mutex#3']. */
  readonly holding?: readonly string[];
  /** The lock or semaphore a parked task waits on, e.g. 'Mutex#3'. */
  readonly waitingOnResource?: string;
  /** Why the task can't be woken, once it has been parked past the stuck threshold on something that can't wake it. */
  readonly stuck?: string;
  /** Its poll times: count, extremes, mean and percentiles in microseconds. */
  readonly pollTimes?: TaskPollTimes;
}

/** A waiter as tracking sees it: its class-level label ('' lets the stack name it). */
export interface LabelledWaiter {
  readonly waitLabel: string;
}

/** Await sites need no context: the operation and the awaiting task's code key them. */
const noContext = (): undefined => undefined;

/** One thread's task tracking. */
export class TaskRecorder {
  readonly settings: TrackingSettings;
  readonly #logger: Logger;
  /** Spawn sites, told apart by the spawning task's code where one body's code shows two places. */
  readonly #sites = new SiteCache(() => this.#spawnerKey());
  /** Await sites, one cache per operation (`waitLabel`), keyed by the awaiting task's code. */
  readonly #waitSites = new Map<string, SiteCache>();
  readonly #stamps = new SpawnStamps();
  /** The stamp shared by the latest spawns (see spawn_stamp.ts). */
  #lastStamp: SpawnStamp | undefined = undefined;
  #current: TaskRecord | undefined = undefined;
  #currentTask: LocalTask<unknown> | undefined = undefined;
  /** The task polled now has no record yet: its stamp, and its body (which a finishing poll drops). */
  #currentStamp: SpawnStamp | undefined = undefined;
  #currentBody: { readonly name: string } | undefined = undefined;
  #pollStart = 0;
  /** See #spawnTime: -1 when no spawn outside a poll has read the clock in this run of code. */
  #runStart = -1;
  #pollEnd = 0;
  readonly #warnings = new WarningWindow(WARNINGS_PER_SECOND);
  readonly #stuckTimer: NodeJS.Timeout;
  #closed = false;

  /**
   * `liveTasks` lists the thread's live tasks, looked through for stuck ones every half
   * stuck threshold (at most every second) until {@link close}.
   */
  constructor(settings: TrackingSettings, logger: Logger, liveTasks: () => Iterable<LocalTask<unknown>>) {
    this.settings = settings;
    this.#logger = logger;
    this.#stuckTimer = setInterval(
      () => this.checkStuck(liveTasks()),
      Math.min(1000, Math.max(1, settings.stuckMs / 2)),
    );
    this.#stuckTimer.unref();
    resourceTracking.active++;
  }

  /** Stop looking for stuck tasks (the runtime shut down). Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#stuckTimer);
    resourceTracking.active--;
  }

  /**
   * A task was spawned on this thread: record where. `body` is the function it runs; its
   * code names the place in the site cache (see SiteCache).
   */
  spawned(task: LocalTask<unknown>, body: unknown): void {
    const key = codeKey(body);
    const stack = this.#sites.capture(key);
    const now = this.#spawnTime();
    let s = this.#lastStamp;
    // One cached stack is one key's (see SiteCache), so the stack tells the key too.
    if (s === undefined || s.stack !== stack || s.at !== now) s = this.#lastStamp = new SpawnStamp(stack, key, now);
    if (!this.#stamps.put(task.id, s)) task.track(new TaskRecord(now, stack, key, body as { readonly name: string }));
  }

  /** The code key of the task spawning now: what tells apart two spawn sites of one body's code. */
  #spawnerKey(): unknown {
    const parent = frames.getStore()?.task;
    return parent === undefined ? undefined : this.#siteKeyOf(parent);
  }

  /**
   * When a task spawned now was spawned. During a poll: the poll's start; else the first
   * spawn's clock read in the same synchronous run of code (a spawn loop after an await of
   * a finished task runs outside any poll). A clock read costs a sizeable part of a tiny
   * task, and one time for a run of spawns lets them share one stamp. A task's scheduled
   * time then also counts the part of that poll or run before its spawn call.
   */
  #spawnTime(): number {
    if (this.#currentTask !== undefined) return this.#pollStart;
    if (this.#runStart < 0) {
      this.#runStart = performance.now();
      queueMicrotask(this.#endRun);
    }
    return this.#runStart;
  }

  readonly #endRun = (): void => {
    this.#runStart = -1;
  };

  /**
   * `task`'s record, made now if it has only a stamp so far (see spawn_stamp.ts); undefined
   * for a task tracking doesn't follow (spawned before tracking, or finished in its first poll).
   */
  recordOf(task: LocalTask<unknown>): TaskRecord | undefined {
    const r = task.record;
    if (r !== undefined) return r;
    if (task === this.#currentTask) {
      const s = this.#currentStamp;
      if (s === undefined) return undefined;
      this.#currentStamp = undefined;
      return (this.#current = this.#recordFrom(task, s, this.#currentBody, this.#pollStart));
    }
    const s = this.#stamps.take(task.id);
    return s === undefined ? undefined : this.#recordFrom(task, s, task.body, undefined);
  }

  /**
   * The record of a task known so far by its stamp `s`: queued since its spawn, or polled
   * since `pollStart` when that is given.
   */
  #recordFrom(
    task: LocalTask<unknown>,
    s: SpawnStamp,
    body: { readonly name: string } | undefined,
    pollStart: number | undefined,
  ): TaskRecord {
    const r = new TaskRecord(s.at, s.stack, s.key, body);
    if (pollStart !== undefined) {
      r.scheduledMs = pollStart - s.at;
      r.since = pollStart;
      r.phase = BUSY;
    }
    task.track(r);
    return r;
  }

  #siteKeyOf(task: LocalTask<unknown>): unknown {
    const r = task.record;
    if (r !== undefined) return r.siteKey;
    if (task === this.#currentTask && this.#currentStamp !== undefined) return this.#currentStamp.key;
    return this.recordOf(task)?.siteKey;
  }

  /** A waiter of `task` was created: remember what it awaits and where. */
  parked(task: LocalTask<unknown>, w: LabelledWaiter): void {
    const r = this.recordOf(task);
    if (r === undefined) return;
    r.waitLabel = w.waitLabel;
    r.waitResource = undefined;
    r.waitStack = w.waitLabel === 'JoinHandle' ? undefined : this.#waitSitesOf(w.waitLabel).capture(r.siteKey);
  }

  #waitSitesOf(label: string): SiteCache {
    let c = this.#waitSites.get(label);
    if (c === undefined) {
      c = new SiteCache(noContext);
      this.#waitSites.set(label, c);
    }
    return c;
  }

  /** Something of `task` was queued to run. */
  woken(task: LocalTask<unknown> | undefined): void {
    const r = task?.record;
    if (r === undefined || r.phase !== IDLE) return;
    const now = performance.now();
    r.idleMs += now - r.since;
    r.since = now;
    r.phase = SCHEDULED;
    r.wakes++;
  }

  /**
   * A poll of `task` starts (the scheduler runs its start or a wake). `chained`: it follows
   * the poll ended last at once, so it starts when that one ended, and the clock is read
   * once per poll rather than twice.
   */
  beginPoll(task: LocalTask<unknown> | undefined, chained = false): void {
    const now = chained ? this.#pollEnd : performance.now();
    this.#pollStart = now;
    this.#currentTask = task;
    const r = (this.#current = task?.record);
    if (r === undefined) {
      // Its first poll, unless tracking doesn't follow it.
      const s = (this.#currentStamp = task === undefined ? undefined : this.#stamps.take(task.id));
      this.#currentBody = s === undefined ? undefined : task!.body;
      return;
    }
    this.#currentStamp = undefined;
    if (r.phase === IDLE) r.idleMs += now - r.since;
    else if (r.phase !== BUSY) r.scheduledMs += now - r.since;
    r.phase = BUSY;
    r.since = now;
  }

  /** The poll begun last has ended; returns its length in ms (for the thread's poll-time histogram). */
  endPoll(): number {
    const now = performance.now();
    this.#pollEnd = now;
    const ms = now - this.#pollStart;
    let r = this.#current;
    const task = this.#currentTask;
    const stamp = this.#currentStamp;
    this.#current = this.#currentTask = undefined;
    this.#currentStamp = undefined;
    if (task === undefined) return ms;
    if (r === undefined) {
      const body = this.#currentBody;
      this.#currentBody = undefined;
      // A first poll that finished its task leaves nothing a dump could show: the record is
      // made only for a task still running or a poll to warn about.
      if (stamp === undefined || (task.bodyFinished() && ms <= this.settings.longPollMs)) return ms;
      r = this.#recordFrom(task, stamp, body, this.#pollStart);
    }
    r.addPoll(ms);
    r.phase = IDLE;
    r.since = now;
    if (ms > NEVER_YIELDED_MS) {
      this.#warn(
        task,
        r,
        W_NEVER_YIELDED,
        'never-yielded',
        `ran ${ms.toFixed(0)} ms without yielding: await yieldNow() in long loops, or move the work to spawnBlocking`,
        ms,
      );
    } else if (ms > this.settings.longPollMs) {
      this.#warn(
        task,
        r,
        W_LONG_POLL,
        'long-poll',
        `held its thread for ${ms.toFixed(1)} ms in one poll (threshold ${this.settings.longPollMs} ms): split the work with yieldNow() or use spawnBlocking`,
        ms,
      );
    }
    if (task.bodyFinished()) {
      // A lock it still holds names it in other tasks' 'stuck' warnings.
      if (r.holding !== undefined && r.holding.size > 0) task.keepName(r.body);
      r.body = undefined;
    }
    return ms;
  }

  /**
   * Time a poll that runs outside the scheduler's queue (a worker starts a claimed task
   * right away): its synchronous part counts as the poll. Safe inside another tracked poll.
   */
  pollNow(task: LocalTask<unknown>): void {
    const current = this.#current;
    const currentTask = this.#currentTask;
    const stamp = this.#currentStamp;
    const body = this.#currentBody;
    const start = this.#pollStart;
    this.beginPoll(task);
    try {
      task.run();
    } finally {
      this.endPoll();
      this.#current = current;
      this.#currentTask = currentTask;
      this.#currentStamp = stamp;
      this.#currentBody = body;
      this.#pollStart = start;
    }
  }

  /** Warn about tasks parked past the stuck threshold on something that can't wake them (`tasks`: the live ones). */
  checkStuck(tasks: Iterable<LocalTask<unknown>>): void {
    const now = performance.now();
    for (const t of tasks) {
      const r = t.record;
      if (r === undefined || (r.warned & W_STUCK) !== 0) continue;
      const why = stuckReason(t, r, now, this.settings.stuckMs);
      if (why !== undefined) this.#warn(t, r, W_STUCK, 'stuck', why, now - r.since);
    }
  }

  /** The tracked fields of `task`'s dump entry, or undefined for an untracked task. */
  dumpFields(task: LocalTask<unknown>): TrackedDumpFields | undefined {
    const r = this.recordOf(task);
    if (r === undefined) return undefined;
    const now = performance.now();
    const open = now - r.since;
    const spawnSite = readCallSite(r.spawnStack).site;
    const parked = r.phase === IDLE && task.state !== 'queued';
    const stuck = stuckReason(task, r, now, this.settings.stuckMs);
    return {
      state:
        r.phase === QUEUED ? 'queued' : r.phase === SCHEDULED ? 'scheduled' : r.phase === BUSY ? 'running' : 'idle',
      ...(spawnSite === '' ? {} : { spawnSite }),
      ...(parked ? { waitingOn: this.#waitingOn(task, r) } : {}),
      polls: r.polls,
      wakes: r.wakes,
      busyMs: r.busyMs + (r.phase === BUSY ? open : 0),
      scheduledMs: r.scheduledMs + (r.phase === SCHEDULED || r.phase === QUEUED ? open : 0),
      idleMs: r.idleMs + (r.phase === IDLE ? open : 0),
      totalMs: now - r.spawnedAt,
      longestPollMs: r.longestPollMs,
      ...(r.holding === undefined || r.holding.size === 0 ? {} : { holding: [...r.holding].map((h) => h.name) }),
      ...(parked && r.waitResource !== undefined ? { waitingOnResource: r.waitResource.name } : {}),
      ...(stuck === undefined ? {} : { stuck }),
      ...(r.polls === 0 ? {} : { pollTimes: pollTimesOf(r) }),
    };
  }

  #waitingOn(task: LocalTask<unknown>, r: TaskRecord): string {
    if (task.inflight === 0) return 'foreign promise';
    const { site, operation } = r.waitStack === undefined ? { site: '', operation: '' } : readCallSite(r.waitStack);
    const label = r.waitLabel !== '' ? r.waitLabel : operation !== '' ? operation : 'await';
    return site === '' ? label : `${label} at ${site}`;
  }

  #warn(task: LocalTask<unknown>, r: TaskRecord, bit: number, kind: string, what: string, ms: number): void {
    if ((r.warned & bit) !== 0) return;
    r.warned |= bit;
    const suppressed = this.#warnings.admit();
    if (suppressed < 0) return;
    const spawnSite = readCallSite(r.spawnStack).site;
    const name = task.nameWith(r.body);
    this.#logger.warn(
      { kind, taskId: task.id, task: name, spawnSite, ms: Math.round(ms), ...(suppressed > 0 ? { suppressed } : {}) },
      `${kind}: task ${task.id} (${name}${spawnSite === '' ? '' : `, spawned at ${spawnSite}`}) ${what}`,
    );
  }
}
