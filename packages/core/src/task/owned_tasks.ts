/**
 * The live tasks of one runtime thread: Tokio's `OwnedTasks`, for task dumps, metrics and
 * shutdown. The main thread's Runtime and each worker's WorkerRuntime keep one.
 *
 * An intrusive doubly linked list through the tasks' own `prevLive`/`nextLive` fields:
 * insert and remove are O(1) and cost no allocation, which matters at a million tasks and
 * on every spawn.
 */
import { CancelReason } from './cancelled_error.js';
import { CleanupWait } from './cleanup_wait.js';
import type { RuntimeCore } from '../runtime/runtime_core.js';
import type { LocalTask } from './task.js';

/** One runtime thread's live tasks. */
export class OwnedTasks {
  #head: LocalTask<unknown> | undefined = undefined;
  #count = 0;

  /** How many tasks are linked. */
  get count(): number {
    return this.#count;
  }

  /** Add a task that has just been spawned. */
  insert(t: LocalTask<unknown>): void {
    this.#count++;
    const head = this.#head;
    t.nextLive = head;
    if (head !== undefined) head.prevLive = t;
    this.#head = t;
  }

  /** Remove a task that reached its outcome; false if it wasn't linked. */
  remove(t: LocalTask<unknown>): boolean {
    const prev = t.prevLive;
    const next = t.nextLive;
    if (prev !== undefined) prev.nextLive = next;
    else if (this.#head === t) this.#head = next;
    else return false;
    if (next !== undefined) next.prevLive = prev;
    t.prevLive = t.nextLive = undefined;
    this.#count--;
    return true;
  }

  /** Every linked task, newest first. */
  *[Symbol.iterator](): Generator<LocalTask<unknown>> {
    for (let t = this.#head; t !== undefined; t = t.nextLive) yield t;
  }

  /**
   * Shutdown: cancel `roots` (tasks kept outside the list, such as `blockOn` roots) and every
   * linked task with one shared Cancelled error, and resolve once each of them that was
   * parked on a runtime await has finished its body (run its `finally` blocks). Tasks
   * stuck on foreign promises are not waited for.
   */
  cancelAll(runtime: RuntimeCore, roots: Iterable<LocalTask<unknown>> = []): Promise<void> {
    const cleanups = new CleanupWait(runtime);
    // One Cancelled error for all: a million sleepers would otherwise cost a million
    // errors, which was most of the time a shutdown took.
    const reason = new CancelReason();
    for (const t of [...roots]) {
      cleanups.add(t);
      t.cancel(reason);
    }
    for (let t = this.#head, next: typeof t; t !== undefined; t = next) {
      next = t.nextLive; // cancelling settles it, which removes it
      cleanups.add(t);
      t.cancel(reason);
    }
    cleanups.close();
    return cleanups.done;
  }
}
