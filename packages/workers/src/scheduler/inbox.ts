/**
 * What reaches a worker through its mailbox: completions of the tasks it spawned (to its
 * {@link Settler}) and abort notices for the tasks it runs (to {@link RunningTasks}).
 *
 * The worker loop drains it on every tick and while parked; the worker's core scheduler
 * also drains it before each run of its queue ({@link Inbox.drainPending}). That second
 * drain is Tokio's abort order across threads: `abort()` raises the task's abort flag and
 * posts a notice *before* it returns, so anything the aborting thread does afterwards (free
 * the channel slot the task waits for, release the lock) reaches the worker after the
 * notice. The wake-up, though, arrives through the primitive's own word and can resume the
 * task in a microtask before the loop's next tick. Taking the notices first, the task's
 * scope is cancelled when its waiter runs, so the waiter hands the slot back and rejects
 * with `Cancelled` instead of resuming the task past an await it was aborted in.
 */
import type { Mailbox } from '../shared/mailbox.js';
import type { RunningTasks } from './running_tasks.js';
import type { Settler } from './settler.js';
import { ABORT_BIT } from './task_slots.js';

/** A worker's mailbox reader. */
export class Inbox {
  readonly #mailbox: Mailbox;
  readonly #running: RunningTasks;
  readonly #settler: Settler;

  constructor(mailbox: Mailbox, running: RunningTasks, settler: Settler) {
    this.#mailbox = mailbox;
    this.#running = running;
    this.#settler = settler;
  }

  /** Take everything that arrived: abort notices first (those that found the ring full), then the ring in order. */
  drain(): void {
    if (this.#mailbox.takeSignal()) this.#running.abortFlagged();
    this.#settler.drain(this.#onEntry);
  }

  /** {@link drain} if anything arrived; one shared-memory read otherwise. */
  readonly drainPending = (): void => {
    if (this.#mailbox.hasPending()) this.drain();
  };

  /**
   * The worker loop's look on every tick: {@link drainPending} by plain reads (see
   * Mailbox.mayHavePending). Not for `beforeDrain`, whose atomic read is what orders an
   * abort notice before the wake-up that follows it.
   */
  drainSeen(): void {
    if (this.#mailbox.mayHavePending()) this.drain();
  }

  /** Resolves once something arrives (see Mailbox.waitAsync). */
  waitAsync(): Promise<void> {
    return this.#mailbox.waitAsync();
  }

  /** A mailbox entry: an abort notice for a task running here, or a completion. */
  readonly #onEntry = (ref: number): void => {
    if ((ref & ABORT_BIT) !== 0) this.#running.abortNotice((ref & ~ABORT_BIT) - 1);
    else this.#settler.complete(ref - 1);
  };
}
