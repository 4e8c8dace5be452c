/**
 * Stopping a task spawned from this thread, wherever it is: Tokio's `abort`, which
 * transitions the task's state word and wakes whoever must act on it.
 *
 * A {@link RemoteTask} reports here, and only here: its abort and whether anyone waits for
 * its outcome. The task's state decides what an abort does:
 * - waiting in its Spawner (no slot yet): the spawn is dropped, or aborted like any local
 *   task if it already runs on this thread;
 * - `QUEUED`: a CAS to `CANCELLED`; the worker that pops it hands the slot back unrun;
 * - `RUNNING`: the slot's abort flag is raised and a notice goes to the owner's mailbox.
 */
import type { Logger } from 'pino';
import type { PayloadCodec } from '../codec/payload.js';
import type { RemoteControl, RemoteTask } from './remote_task.js';
import type { SharedState } from './shared_state.js';
import type { SlotPartition } from './slot_partition.js';
import { ABORT_BIT, CANCELLED, QUEUED, RUNNING, SLOT_WORDS, S_ABORT, S_OWNER, S_STATE } from './task_slots.js';

/** The {@link RemoteControl} of the tasks one thread spawns onto the workers. */
export class SlotControl implements RemoteControl {
  readonly logger: Logger;
  readonly #sh: SharedState;
  readonly #codec: PayloadCodec;
  readonly #partition: SlotPartition;
  readonly #onWatched: ((watched: boolean) => void) | undefined;
  #watched = 0;

  /**
   * `onWatched` hears when the number of pending outcomes someone awaits goes from 0 to 1
   * (true) and back (false): the main thread stays alive exactly while one is awaited.
   */
  constructor(
    sh: SharedState,
    codec: PayloadCodec,
    partition: SlotPartition,
    logger: Logger,
    onWatched?: (watched: boolean) => void,
  ) {
    this.#sh = sh;
    this.#codec = codec;
    this.#partition = partition;
    this.logger = logger;
    this.#onWatched = onWatched;
  }

  /** Someone started or stopped waiting for a task's outcome. */
  watch(delta: 1 | -1): void {
    const before = this.#watched;
    this.#watched += delta;
    if (before === 0 && delta === 1) this.#onWatched?.(true);
    else if (this.#watched === 0) this.#onWatched?.(false);
  }

  /** Stop a task that is waiting, queued or running. */
  abortRemote(task: RemoteTask<unknown>): void {
    const p = task.pending;
    if (p !== undefined) {
      task.pending = undefined;
      if (p.local !== undefined) {
        p.local.abort(); // running here: abort it like any local task
        return;
      }
      p.cancelled = true; // its Spawner drops it when its turn comes
      this.#codec.releaseSnapshot(p.snap);
      this.#partition.countFinished();
      return;
    }
    const s = task.slot;
    if (s < 0) return;
    const w = this.#sh.slots.i32;
    const b = s * SLOT_WORDS;
    const prev = Atomics.compareExchange(w, b + S_STATE, QUEUED, CANCELLED);
    if (prev === QUEUED) {
      this.#partition.countFinished(); // it never runs; the worker that pops it hands the slot back
    } else if (prev === RUNNING) {
      Atomics.store(w, b + S_ABORT, 1);
      const owner = Atomics.load(w, b + S_OWNER);
      if (owner >= 0 && !this.#sh.mailboxes[owner]!.push((s + 1) | ABORT_BIT)) {
        // Its mailbox has room for completions, not for a notice per task it runs: have it
        // sweep its running tasks for the abort flag instead (set above, before this).
        this.#sh.mailboxes[owner]!.signal();
      }
    }
  }
}
