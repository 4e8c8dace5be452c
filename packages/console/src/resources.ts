/**
 * The resources view: what parked tasks wait on and who holds it, grouped from the tracked
 * `waitingOn` and `holding` of task rows (core keeps no registry of resources).
 */
import { FOREIGN_PROMISE, type TaskRow } from './task_row.js';

/** One resource as GET /api/resources lists it. */
export interface ResourceRow {
  readonly kind: 'lock' | 'semaphore' | 'channel' | 'timer' | 'socket' | 'other';
  /**
   * The resource: the first word of `waitingOn` without its operation ('Mutex#3' from
   * 'Mutex#3.lock at app.ts:12', 'mpsc' from 'mpsc.recv'), as `holding` names it.
   */
  readonly name: string;
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
  const byName = new Map<string, { holders: number[]; waiters: number[] }>();
  const entry = (name: string) => {
    let e = byName.get(name);
    if (e === undefined) byName.set(name, (e = { holders: [], waiters: [] }));
    return e;
  };
  for (const r of rows) {
    if (r.waitingOn !== '' && r.waitingOn !== FOREIGN_PROMISE) entry(resourceName(r.waitingOn)).waiters.push(r.id);
    for (const h of r.holding) entry(resourceName(h)).holders.push(r.id);
  }
  return [...byName].map(([name, e]) => ({ kind: KINDS.find(([re]) => re.test(name))?.[1] ?? 'other', name, ...e }));
}

function resourceName(label: string): string {
  return label.split(' ')[0]!.replace(/\.[A-Za-z_]+$/, '');
}
