/**
 * A row of the tasks view: Tokio console's columns, read from a task dump entry.
 *
 * A dump always gives id, name, state and thread. The per-task figures need task tracking
 * in core (`Builder.taskTracking`); each is read from the entry under the name listed in
 * {@link TrackedFields} when the entry has it, and shown as empty (or 0) otherwise.
 */
import type { TaskDumpEntry } from '@skein/core';
import type { PollTimes } from './poll_times.js';

/**
 * The optional fields the console reads from a dump entry (all need task tracking).
 * Times are milliseconds since the task was spawned.
 */
export interface TrackedFields {
  /** Where the task was spawned, 'file:line'. */
  readonly spawnSite?: string;
  /** What a parked task awaits, e.g. 'Mutex.lock at app.ts:12'. */
  readonly waitingOn?: string;
  /** Resources the task holds now, e.g. ['Mutex#3'] (see ResourceRow.name). */
  readonly holding?: readonly string[];
  /** The lock or semaphore a parked task waits on, e.g. 'Mutex#3'. */
  readonly waitingOnResource?: string;
  /** Why nothing can wake the task, when core found it stuck. */
  readonly stuck?: string;
  /** Times the task was polled. */
  readonly polls?: number;
  /** Time spent in polls. */
  readonly busyMs?: number;
  /** Time spent woken but waiting in a run queue. */
  readonly scheduledMs?: number;
  /** Time spent parked. */
  readonly idleMs?: number;
  /** Time since spawn (defaults to busy + scheduled + idle). */
  readonly totalMs?: number;
  /** The longest single poll (for the 'long-poll' warning). */
  readonly longestPollMs?: number;
  /** The task's poll-time distribution. */
  readonly pollTimes?: PollTimes;
}

/** A dump entry as the console reads it: API.md's `thread`, today's `worker`, tracked fields. */
export type ConsoleDumpEntry = Omit<TaskDumpEntry, 'worker' | 'state'> &
  TrackedFields & { readonly state: string; readonly thread?: number | 'main'; readonly worker?: number | 'main' };

/** One task as GET /api/tasks lists it. */
export interface TaskRow {
  readonly id: number;
  readonly name: string;
  readonly state: string;
  readonly thread: number | 'main';
  readonly polls: number;
  readonly totalMs: number;
  readonly busyMs: number;
  readonly scheduledMs: number;
  readonly idleMs: number;
  /** '' until core tracks spawn sites. */
  readonly spawnSite: string;
  /** '' when not parked on a runtime await, or untracked. */
  readonly waitingOn: string;
  readonly holding: readonly string[];
  /** The lock or semaphore it waits on ('Mutex#3'); '' when not parked on one, or untracked. */
  readonly waitingOnResource: string;
  /** Why nothing can wake it, when core found it stuck; '' otherwise. */
  readonly stuck: string;
  readonly longestPollMs: number;
  /** Whether the entry carried tracked figures (false: the zeros mean "not recorded"). */
  readonly tracked: boolean;
}

/** What core's dump says of a task parked on a promise the runtime doesn't drive. */
export const FOREIGN_PROMISE = 'foreign promise';

/** The row for one dump entry. */
export function taskRow(e: ConsoleDumpEntry): TaskRow {
  const busyMs = e.busyMs ?? 0;
  const scheduledMs = e.scheduledMs ?? 0;
  const idleMs = e.idleMs ?? 0;
  return {
    id: e.id,
    name: e.name,
    state: e.state,
    thread: e.thread ?? e.worker ?? 'main',
    polls: e.polls ?? 0,
    totalMs: e.totalMs ?? busyMs + scheduledMs + idleMs,
    busyMs,
    scheduledMs,
    idleMs,
    spawnSite: e.spawnSite ?? '',
    waitingOn: e.waitingOn ?? '',
    holding: e.holding ?? [],
    waitingOnResource: e.waitingOnResource ?? '',
    stuck: e.stuck ?? '',
    longestPollMs: e.longestPollMs ?? 0,
    tracked: e.polls !== undefined,
  };
}
