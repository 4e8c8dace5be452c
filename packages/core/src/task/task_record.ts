/**
 * One tracked task's figures ({@link TaskRecord}) and its poll-time distribution: the data
 * task tracking keeps per task, apart from the recorder that fills it in (tracking.ts).
 */
import type { StackHolder } from './call_site.js';
import type { TrackedResource } from './resource_tracking.js';
import { ScopeExtra } from './scope.js';

/** Where a tracked task is in its life (`TaskRecord.phase`). */
export const QUEUED = 0;
export const SCHEDULED = 1;
export const BUSY = 2;
export const IDLE = 3;

/** One task's poll-time distribution in microseconds, read off its power-of-two buckets. */
export interface TaskPollTimes {
  readonly count: number;
  readonly minUs: number;
  readonly maxUs: number;
  readonly meanUs: number;
  /** Ascending `[percentile, us]` points (the bucket bounds the percentiles fall in). */
  readonly percentilesUs: readonly (readonly [number, number])[];
}

/**
 * Upper bounds (µs) of a task's poll-time buckets, powers of two from 1 µs to about 17
 * minutes: a poll costs one `Math.clz32` and an increment, where a native histogram
 * per task would cost a native object each.
 */
export const POLL_BUCKETS = 31;
const PERCENTILES: readonly number[] = [50, 90, 99];

/**
 * A tracked task's poll extremes and distribution, made at its second poll: most tasks poll
 * once, and one poll's distribution is its length alone.
 */
export class PollStats {
  minMs: number;
  maxMs: number;
  /** Polls per power-of-two bucket of microseconds. */
  readonly buckets = new Uint32Array(POLL_BUCKETS);

  constructor(firstMs: number) {
    this.minMs = this.maxMs = firstMs;
    this.buckets[bucketOf(firstMs)]!++;
  }

  add(ms: number): void {
    if (ms < this.minMs) this.minMs = ms;
    if (ms > this.maxMs) this.maxMs = ms;
    this.buckets[bucketOf(ms)]!++;
  }
}

/**
 * One tracked task's figures. It is also the task's side object (a ScopeExtra, see
 * scope.ts), so tracking adds one allocation per task rather than two.
 *
 * Every double field costs V8 a heap number per record, so the record keeps few: the
 * spawn time is not stored but derived (each phase change adds the time since `since` to
 * exactly one of the three sums, so `since` minus the sums is the spawn time), and a
 * single poll's extremes are its length ({@link PollStats} comes with the second poll).
 */
export class TaskRecord extends ScopeExtra {
  readonly spawnStack: StackHolder;
  phase = QUEUED;
  since: number;
  polls = 0;
  wakes = 0;
  busyMs = 0;
  scheduledMs = 0;
  idleMs = 0;
  /** Extremes and distribution, from the second poll on. */
  stats: PollStats | undefined = undefined;
  /** The lock or semaphore the latest runtime await parked on, if it was one. */
  waitResource: TrackedResource | undefined = undefined;
  /** Locks and semaphores it holds permits of. */
  holding: Set<TrackedResource> | undefined = undefined;
  /** The operation and stack of the latest runtime await (formatted only in a dump). */
  waitLabel = '';
  waitStack: StackHolder | undefined = undefined;
  /**
   * The task's function until its last poll has ended: a body that finishes drops its
   * function, and with it the name a warning about that poll needs (reading `fn.name` at
   * every spawn instead costs a tenth of a spawn).
   */
  body: { readonly name: string } | undefined = undefined;
  /** What names this task's code in the site cache (see SiteCache): its body's code key. */
  siteKey: unknown;
  warned = 0;

  constructor(now: number, spawnStack: StackHolder, siteKey: unknown, body: { readonly name: string } | undefined) {
    super();
    this.record = this;
    this.since = now;
    this.spawnStack = spawnStack;
    this.siteKey = siteKey;
    this.body = body;
  }

  /** When the task was spawned (see the class comment). */
  get spawnedAt(): number {
    return this.since - this.busyMs - this.scheduledMs - this.idleMs;
  }

  /** Its longest poll so far, in ms (0 before the first). */
  get longestPollMs(): number {
    return this.stats === undefined ? this.busyMs : this.stats.maxMs;
  }

  /** A poll of `ms` has ended. */
  addPoll(ms: number): void {
    if (++this.polls === 2) this.stats = new PollStats(this.busyMs);
    this.busyMs += ms;
    this.stats?.add(ms);
  }
}

/** The bucket of a poll of `ms`: bucket i holds polls over 2^(i-1) µs, up to 2^i. */
export function bucketOf(ms: number): number {
  const us = ms * 1000;
  return us <= 1 ? 0 : Math.min(POLL_BUCKETS - 1, 32 - Math.clz32(Math.ceil(us) - 1));
}

/** `r`'s poll times; a percentile reads as the upper bound of its bucket, capped at the longest poll. */
export function pollTimesOf(r: TaskRecord): TaskPollTimes {
  const maxUs = r.longestPollMs * 1000;
  const stats = r.stats;
  if (stats === undefined) {
    return {
      count: 1,
      minUs: maxUs,
      maxUs,
      meanUs: maxUs,
      percentilesUs: [
        [0, maxUs],
        [50, maxUs],
        [90, maxUs],
        [99, maxUs],
        [100, maxUs],
      ],
    };
  }
  const b = stats.buckets;
  const percentilesUs: [number, number][] = [];
  let seen = 0;
  let p = 0;
  for (let i = 0; i < POLL_BUCKETS && p < PERCENTILES.length; i++) {
    seen += b[i]!;
    while (p < PERCENTILES.length && seen >= (r.polls * PERCENTILES[p]!) / 100) {
      percentilesUs.push([PERCENTILES[p]!, Math.min(2 ** i, maxUs)]);
      p++;
    }
  }
  return {
    count: r.polls,
    minUs: stats.minMs * 1000,
    maxUs,
    meanUs: (r.busyMs * 1000) / r.polls,
    percentilesUs: [[0, stats.minMs * 1000], ...percentilesUs, [100, maxUs]],
  };
}
