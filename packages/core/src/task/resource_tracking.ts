/**
 * Resource tracking, the part of task tracking that the sync primitives feed: which task
 * holds a lock or semaphore permit, and which of them a parked task waits on. Task dumps
 * show them (`holding`, `waitingFor`), the console's resources view groups them, and the
 * `stuck` warning uses them to find a task parked on a lock held by a task that finished
 * without releasing it.
 *
 * Sync primitives aren't tied to a runtime, so they check {@link resourceTracking}.active
 * (how many runtimes on this thread track tasks) before any bookkeeping: with tracking off
 * an acquire or release pays one load and compare. The bookkeeping lives in a WeakMap, not
 * in fields, so a primitive costs no memory for it.
 */
import { frames } from './context.js';
import type { LocalTask } from './task.js';

/** How many runtimes on this thread track tasks; the primitives' bookkeeping runs only while it is not 0. */
export const resourceTracking = { active: 0 };

/** One lock or semaphore as tracking sees it. */
export class TrackedResource {
  /** `Mutex#3`: its kind and a number unique on this thread. */
  readonly name: string;
  /** Tasks holding permits of it, and how many each (acquisition order). */
  readonly holders = new Map<LocalTask<unknown>, number>();

  constructor(name: string) {
    this.name = name;
  }
}

const resources = new WeakMap<object, TrackedResource>();
const lastId = new Map<string, number>();

function tracked(res: object, kind: string): TrackedResource {
  let r = resources.get(res);
  if (r === undefined) {
    const id = (lastId.get(kind) ?? 0) + 1;
    lastId.set(kind, id);
    resources.set(res, (r = new TrackedResource(`${kind}#${id}`)));
  }
  return r;
}

/** The task whose code runs now, if any. */
export function currentTask(): LocalTask<unknown> | undefined {
  return frames.getStore()?.task;
}

/** `task` (when tracked) took `n` permits of `res`, a primitive of kind `kind` ('Mutex'). */
export function noteAcquired(res: object, kind: string, task: LocalTask<unknown> | undefined, n: number): void {
  const rec = task?.record;
  if (rec === undefined) return;
  const r = tracked(res, kind);
  r.holders.set(task!, (r.holders.get(task!) ?? 0) + n);
  (rec.holding ??= new Set()).add(r);
}

/**
 * `n` permits of `res` went back. A permit doesn't say which task took it, so they are
 * taken from `from` (or the task running now) when it holds some, then from the earliest
 * holders: exact for a mutex or a write lock, a good guess for a shared semaphore.
 */
export function noteReleased(res: object, n: number, from: LocalTask<unknown> | undefined = currentTask()): void {
  const r = resources.get(res);
  if (r === undefined || r.holders.size === 0) return;
  const order = from !== undefined && r.holders.has(from) ? [from, ...r.holders.keys()] : [...r.holders.keys()];
  for (const t of order) {
    if (n <= 0) break;
    const held = r.holders.get(t);
    if (held === undefined) continue;
    const k = Math.min(held, n);
    n -= k;
    if (held > k) {
      r.holders.set(t, held - k);
    } else {
      r.holders.delete(t);
      t.record?.holding?.delete(r);
    }
  }
}

/** `task` (when tracked) is now parked on `res`, a primitive of kind `kind`. */
export function noteWaiting(res: object, kind: string, task: LocalTask<unknown> | undefined): void {
  const rec = task?.record;
  if (rec !== undefined) rec.waitResource = tracked(res, kind);
}
