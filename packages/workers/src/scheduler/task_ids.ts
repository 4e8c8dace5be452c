/**
 * Runtime-wide task ids.
 *
 * Tokio's task ids are unique across the runtime, whichever worker spawned the task; a
 * JoinHandle's id equals `currentTask().id` inside the task. Here every thread allocates
 * ids for the tasks it spawns (sendable tasks and local closures alike) from one shared
 * atomic counter, a block of 256 at a time, so the counter's cache line is touched once per
 * 256 spawns instead of once per spawn. Ids start at {@link ID_BASE}, above the per-thread
 * counter core uses for the main thread's own tasks, so no two live tasks share an id.
 */
import { ID_BASE } from './task_slots.js';

const BLOCK = 256;

/** One thread's view of the runtime-wide id counter. */
export class TaskIds {
  readonly #counter: Int32Array;
  readonly #index: number;
  #next = 0;
  #end = 0;

  constructor(counter: Int32Array, index: number) {
    this.#counter = counter;
    this.#index = index;
  }

  /** A fresh id. */
  next(): number {
    if (this.#next === this.#end) {
      const block = Atomics.add(this.#counter, this.#index, 1);
      this.#next = ID_BASE + 1 + block * BLOCK;
      this.#end = this.#next + BLOCK;
    }
    return this.#next++;
  }
}
