/**
 * Resource tracking, the part of task tracking that the sync primitives feed: which task
 * holds a lock or semaphore permit, and which of them (or which channel) a parked task waits
 * on. Task dumps show them (`holding`, `waitingFor`), the console's resources view groups
 * them, and the `stuck` warning uses them to find a task parked on a lock held by a task
 * that finished without releasing it, or on a channel whose every sender was dropped
 * without being closed.
 *
 * Rust drops a sender when nothing owns it any more, which ends the channel; JavaScript
 * collects it without telling anyone, and the receiver waits forever. So while tracking is
 * on, the sending ends of a channel made then are counted until they are closed, and a
 * FinalizationRegistry counts those collected first.
 *
 * Sync primitives aren't tied to a runtime, so they check {@link resourceTracking}.active
 * (how many runtimes on this thread track tasks) before any bookkeeping: with tracking off
 * an acquire or release pays one load and compare. The bookkeeping lives in a WeakMap, not
 * in fields, so a primitive costs no memory for it.
 */
import { frames } from './context.js';
import type { LocalTask } from './task.js';
import type { TaskRecord } from './task_record.js';

/** How many runtimes on this thread track tasks; the primitives' bookkeeping runs only while it is not 0. */
export const resourceTracking = { active: 0 };

/** One lock or semaphore as tracking sees it. */
export class TrackedResource {
  /** `Mutex#3`: its kind and a number unique on this thread. */
  readonly name: string;
  /** Tasks holding permits of it, and how many each (acquisition order). */
  readonly holders = new Map<LocalTask<unknown>, number>();
  /** A channel's sending ends, when it was made while tracking was on. */
  ends: ChannelEnds | undefined = undefined;

  constructor(name: string) {
    this.name = name;
  }
}

/** A channel's sending ends: open ones, and those collected without being closed. */
export class ChannelEnds {
  open = 0;
  collected = 0;

  /** Every end was collected while open: nothing can send on the channel or end it. */
  get abandoned(): boolean {
    return this.open === 0 && this.collected > 0;
  }
}

const resources = new WeakMap<object, TrackedResource>();
const collector = new FinalizationRegistry<ChannelEnds>((ends) => {
  ends.open--;
  ends.collected++;
});
/** Whether any end was ever registered: closing an end costs nothing until then. */
let endsCounted = false;
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

/** `task`'s figures, when its thread tracks tasks. */
function recordOf(task: LocalTask<unknown> | undefined): TaskRecord | undefined {
  return task === undefined ? undefined : task.runtime.scheduler.tracker?.recordOf(task);
}

/** `task` (when tracked) took `n` permits of `res`, a primitive of kind `kind` ('Mutex'). */
export function noteAcquired(res: object, kind: string, task: LocalTask<unknown> | undefined, n: number): void {
  const rec = recordOf(task);
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
  const rec = recordOf(task);
  if (rec !== undefined) rec.waitResource = tracked(res, kind);
}

/**
 * (Tracking on.) `end`, a sending end of the channel `chan` of kind `kind` ('mpsc'), was
 * made: `first` for the channel's own first sender, else a clone. A channel is counted only
 * from its first sender, so one made before tracking began is never called abandoned.
 */
export function noteEndMade(end: object, chan: object, kind: string, first: boolean): void {
  let ends: ChannelEnds | undefined;
  if (first) ends = tracked(chan, kind).ends = new ChannelEnds();
  else ends = resources.get(chan)?.ends;
  if (ends === undefined) return;
  ends.open++;
  endsCounted = true;
  collector.register(end, ends, end);
}

/** `end` of `chan` was closed (or used up, as a oneshot sender by its send). */
export function noteEndClosed(end: object, chan: object): void {
  if (!endsCounted || !collector.unregister(end)) return;
  const ends = resources.get(chan)?.ends;
  if (ends !== undefined) ends.open--;
}
