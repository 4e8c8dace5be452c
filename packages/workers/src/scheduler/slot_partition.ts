/**
 * One thread's share of the task-slot table: which of its slots are free, and which task
 * each taken slot belongs to.
 *
 * Every slot a thread spawns into comes back to that thread exactly once (as a completion,
 * or as a notice that it was cancelled while queued), so only its own thread touches this:
 * the free list needs no atomics. Tokio's `OwnedTasks` plays the part for a runtime's task
 * cells.
 */
import type { RemoteTask } from './remote_task.js';
import { M_FINISHED, M_SPAWNED, type SharedState } from './shared_state.js';
import { FREE, SLOT_WORDS, S_STATE } from './task_slots.js';

/** The slots of one thread's partition. */
export class SlotPartition {
  readonly #sh: SharedState;
  readonly #spawnedIdx: number;
  readonly #finishedIdx: number;
  readonly #base: number;
  readonly #free: Int32Array;
  #freeTop = 0;
  readonly #tasks: (RemoteTask<unknown> | undefined)[];

  constructor(sh: SharedState, thread: number) {
    this.#sh = sh;
    this.#spawnedIdx = sh.metric(thread, M_SPAWNED);
    this.#finishedIdx = sh.metric(thread, M_FINISHED);
    this.#base = sh.slotBase(thread);
    const count = sh.slotCount(thread);
    this.#free = new Int32Array(count);
    this.#tasks = new Array<RemoteTask<unknown> | undefined>(count);
    // Slots still occupied (a replacement worker inheriting a dead one's partition) come
    // back through the mailbox and are freed then.
    for (let i = count - 1; i >= 0; i--) if (sh.slots.state(this.#base + i) === FREE) this.#free[this.#freeTop++] = i;
  }

  /** The slot the next {@link take} returns, or -1 when every slot is taken. */
  peekFree(): number {
    return this.#freeTop > 0 ? this.#base + this.#free[this.#freeTop - 1]! : -1;
  }

  /** Take the slot {@link peekFree} returned. */
  take(): void {
    this.#freeTop--;
  }

  /** A task started from here (counted in `spawnedTasksCount`). */
  countSpawned(): void {
    this.#sh.metrics[this.#spawnedIdx]!++;
  }

  /** A task from here ended without a worker reporting it (it never ran). */
  countFinished(): void {
    this.#sh.metrics[this.#finishedIdx]!++;
  }

  /** `task` now owns slot `s` (queued). */
  bind(s: number, task: RemoteTask<unknown>): void {
    task.slot = s;
    this.#tasks[s - this.#base] = task;
  }

  /** The task slot `s` belongs to, if it is still taken by one. */
  task(s: number): RemoteTask<unknown> | undefined {
    return this.#tasks[s - this.#base];
  }

  /** Slot `s` came back: unbind `task` from it (if any) and free it. */
  release(s: number, task: RemoteTask<unknown> | undefined): void {
    const local = s - this.#base;
    if (task !== undefined) {
      this.#tasks[local] = undefined;
      task.slot = -1;
    }
    // A plain store: only this thread uses a free slot, and queueing it again publishes
    // the slot with an atomic store.
    this.#sh.slots.i32[s * SLOT_WORDS + S_STATE] = FREE;
    this.#free[this.#freeTop++] = local;
  }

  /** The tasks whose slots are taken (shutdown cancels them). */
  *tasks(): IterableIterator<RemoteTask<unknown>> {
    for (const t of this.#tasks) if (t !== undefined) yield t;
  }
}
