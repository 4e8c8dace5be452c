/**
 * The resources view: what parked tasks wait on and who holds it, grouped from the tracked
 * `waitingOnResource`, `waitingOn` and `holding` of task rows (core keeps no registry of
 * resources). Resources belong to one thread, so they are grouped per thread.
 */
import { FOREIGN_PROMISE, type TaskRow } from './task_row.js';

/** One resource as GET /api/resources lists it. */
export interface ResourceRow {
  readonly kind: 'lock' | 'semaphore' | 'channel' | 'timer' | 'socket' | 'other';
  /**
   * The resource: a lock or semaphore as core names it ('Mutex#3', from the tasks'
   * `waitingOnResource` and `holding`), else the first word of `waitingOn` without its
   * operation ('mpsc' from 'mpsc.recv at app.ts:12').
   */
  readonly name: string;
  /** The thread it lives on (its holders' and waiters'). */
  readonly thread: number | 'main';
  /** Ids of tasks whose `holding` names it. */
  readonly holders: readonly number[];
  /** Ids of tasks parked on it. */
  readonly waiters: readonly number[];
}

const KINDS: readonly [RegExp, ResourceRow['kind']][] = [
  [/^(Mutex|RwLock)\b/, 'lock'],
  [/^(Semaphore|Barrier)\b/, 'semaphore'],
  [/^(mpsc|oneshot|broadcast|watch|Sender|Receiver)\b/, 'channel'],
  [/^(sleep|interval|timeout|Interval)\b/i, 'timer'],
  [/^(Tcp|Udp|Unix|socket|http)/i, 'socket'],
];

/** The resources named by `rows`, in order of first mention. */
export function resourcesOf(rows: readonly TaskRow[]): ResourceRow[] {
  const byKey = new Map<string, { name: string; thread: number | 'main'; holders: number[]; waiters: number[] }>();
  const entry = (name: string, thread: number | 'main') => {
    const key = `${thread}/${name}`;
    let e = byKey.get(key);
    if (e === undefined) byKey.set(key, (e = { name, thread, holders: [], waiters: [] }));
    return e;
  };
  for (const r of rows) {
    if (r.waitingOnResource !== '') entry(r.waitingOnResource, r.thread).waiters.push(r.id);
    else if (r.waitingOn !== '' && r.waitingOn !== FOREIGN_PROMISE)
      entry(resourceName(r.waitingOn), r.thread).waiters.push(r.id);
    for (const h of r.holding) entry(resourceName(h), r.thread).holders.push(r.id);
  }
  return [...byKey.values()].map((e) => ({ kind: KINDS.find(([re]) => re.test(e.name))?.[1] ?? 'other', ...e }));
}

function resourceName(label: string): string {
  return label.split(' ')[0]!.replace(/\.[A-Za-z_]+$/, '');
}
