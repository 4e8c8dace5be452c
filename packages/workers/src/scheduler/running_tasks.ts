/**
 * The slot tasks running on one worker, and the way their outcomes leave it.
 *
 * When a slot task reaches its outcome, the worker's runtime hands it here
 * ({@link RunningTasks.finish}): the outcome is written into the slot (payload.ts), the
 * state becomes DONE, and the slot's reference goes to the spawner's mailbox, or straight
 * to this thread's {@link Settler} when this worker spawned the task itself (a nested
 * spawn awaited on the same worker skips the mailbox). Abort notices for these tasks
 * arrive through this worker's mailbox and find them here by slot.
 */
import type { Logger } from 'pino';
import { SerializationError, type JoinError } from '@skein/core';
import { encodeThrown, stripThrown } from '../codec/error_codec.js';
import type { PayloadCodec } from '../codec/payload.js';
import { WorkerExitRequest } from '../runtime/deferred_exit.js';
import { dropOwned } from '../sync/handle_codec.js';
import type { Settler } from './settler.js';
import { M_FINISHED, type SharedState } from './shared_state.js';
import type { SlotTask } from './slot_task.js';
import {
  DONE,
  SLOT_WORDS,
  S_ABORT,
  S_SPAWNER,
  S_STATE,
  S_STATUS,
  STATUS_CANCELLED,
  STATUS_OK,
  STATUS_PANIC,
} from './task_slots.js';

/** The running slot tasks of worker `me`. */
export class RunningTasks {
  readonly #sh: SharedState;
  readonly #me: number;
  readonly #codec: PayloadCodec;
  readonly #settler: Settler;
  readonly #logger: Logger;
  readonly #running: (SlotTask | undefined)[] = [];

  /** `settler`: this worker's own, for the tasks it spawned itself. */
  constructor(sh: SharedState, me: number, codec: PayloadCodec, settler: Settler, logger: Logger) {
    this.#sh = sh;
    this.#me = me;
    this.#codec = codec;
    this.#settler = settler;
    this.#logger = logger;
  }

  /** A slot task was claimed and is about to start. */
  add(task: SlotTask): void {
    const r = this.#running;
    // Grown an entry at a time: a write far past the end (the main thread's slots come after
    // every worker's) would turn the array into a dictionary, a hash lookup per access.
    while (r.length <= task.slot) r.push(undefined);
    r[task.slot] = task;
  }

  /** A slot task reached its outcome: write it into the slot and send the slot back. */
  finish(task: SlotTask): void {
    const s = task.slot;
    if (s < 0) return;
    this.#running[s] = undefined;
    task.slot = -1;
    // Channel ends it received are its own: dropped now, as Rust drops a moved value.
    dropOwned(task.owned);
    const ok = task.succeeded();
    const value = task.outcome();
    // It called process.exit(): the thread is about to exit, and the slot, left RUNNING,
    // is failed with a WorkerCrashedError by the main thread's recovery.
    if (!ok && (value as JoinError).cause instanceof WorkerExitRequest) return;
    const w = this.#sh.slots.i32;
    const b = s * SLOT_WORDS;
    const spawner = w[b + S_SPAWNER]!;
    if (!task.argsRead) this.#codec.release(s);
    let status = STATUS_OK;
    if (ok) {
      try {
        this.#codec.writeResult(s, value, spawner, task.name);
      } catch (err) {
        status = STATUS_PANIC;
        this.#writePanic(
          s,
          spawner,
          err instanceof SerializationError ? err : new SerializationError(`the result of task ${task.name}`, err),
        );
      }
    } else if ((value as JoinError).isCancelled()) {
      status = STATUS_CANCELLED;
    } else {
      status = STATUS_PANIC;
      this.#writePanic(s, spawner, (value as JoinError).cause);
    }
    w[b + S_STATUS] = status;
    Atomics.store(w, b + S_STATE, DONE);
    this.#sh.metrics[this.#sh.metric(this.#me, M_FINISHED)]!++;
    this.post(spawner, s + 1);
  }

  #writePanic(s: number, spawner: number, cause: unknown): void {
    const e = encodeThrown(cause);
    try {
      this.#codec.writeResult(s, e, spawner, 'a panic');
    } catch {
      this.#codec.writeResult(s, stripThrown(e), spawner, 'a panic');
    }
  }

  /** Send slot reference `ref` back to the thread that spawned it. */
  post(thread: number, ref: number): void {
    if (thread === this.#me) {
      this.#settler.complete(ref - 1);
    } else if (!this.#sh.mailboxes[thread]!.push(ref)) {
      this.#logger.error({ slot: ref - 1, thread }, 'completion lost: mailbox full (a sizing bug)');
    }
  }

  /** The spawner asked (through our mailbox) to abort the task in slot `s`. */
  abortNotice(s: number): void {
    const t = this.#running[s];
    if (t === undefined) return;
    const w = this.#sh.slots.i32;
    if (Atomics.load(w, s * SLOT_WORDS + S_ABORT) === 1 && t.id === this.#sh.slots.taskId(s)) t.abort();
  }

  /** Abort notices that found our mailbox full: abort every running task its spawner flagged. */
  abortFlagged(): void {
    this.#running.forEach((t, s) => {
      if (t !== undefined) this.abortNotice(s);
    });
  }
}
