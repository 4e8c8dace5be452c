/**
 * The way back of a cross-thread spawn: a slot that came back to the thread that spawned
 * it settles its RemoteTask and is freed.
 *
 * Tokio's JoinHandle reads the output from the task cell once the task's state says
 * COMPLETE. Here the worker that ran the task wrote its outcome into the slot, set it DONE
 * and pushed the slot's reference to this thread's mailbox (or, when it spawned the task
 * itself, handed it over directly); {@link Settler.complete} reads the outcome, frees the
 * slot and settles the handle. After a mailbox drain, the freed slots take the spawns
 * waiting for one.
 */
import { JoinError } from '@skein/core';
import '../codec/core_errors.js'; // decoded panics keep skein's classes
import { decodeThrown, type EncodedThrown } from '../codec/error_codec.js';
import { PayloadPending, SabPending, type PayloadCodec } from '../codec/payload.js';
import type { Mailbox } from '../shared/mailbox.js';
import { decodeOwned } from '../sync/handle_codec.js';
import type { SharedState } from './shared_state.js';
import type { SlotPartition } from './slot_partition.js';
import type { Spawner } from './spawner.js';
import { DONE, SLOT_WORDS, S_STATE, S_STATUS, STATUS_CANCELLED, STATUS_OK, STATUS_PANIC } from './task_slots.js';

/** Settles the tasks one thread spawned, as their slots come back. */
export class Settler {
  readonly #sh: SharedState;
  readonly #codec: PayloadCodec;
  readonly #partition: SlotPartition;
  readonly #spawner: Spawner;
  readonly #mailbox: Mailbox;

  /** `spawner`: the same thread's, whose waiting spawns take the slots freed here. */
  constructor(sh: SharedState, thread: number, codec: PayloadCodec, partition: SlotPartition, spawner: Spawner) {
    this.#sh = sh;
    this.#codec = codec;
    this.#partition = partition;
    this.#spawner = spawner;
    this.#mailbox = sh.mailboxes[thread]!;
  }

  /**
   * Drain this thread's mailbox, each entry to `onEntry` (a worker's mailbox also carries
   * abort notices), then queue waiting spawns into the freed slots. Returns how many
   * entries there were.
   */
  drain(onEntry: (ref: number) => void = this.#completeRef): number {
    const n = this.#mailbox.drain(onEntry);
    // Not slot by slot during the drain: the mailbox holds one entry per slot and releases
    // the entries it read in chunks, so a slot reused at once could complete into a ring
    // still full of entries already read.
    if (n > 0 && this.#spawner.waiting > 0) this.#spawner.flushPending();
    return n;
  }

  /** A mailbox entry (a slot reference, slot + 1) of a completion: {@link complete} it. */
  readonly #completeRef = (ref: number): void => {
    this.complete(ref - 1);
  };

  /** Slot `s` came back: settle its task (if it still has one) and free it. */
  complete(s: number): void {
    const task = this.#partition.task(s);
    const slots = this.#sh.slots;
    const b = s * SLOT_WORDS;
    // A plain read: the mailbox entry that brought `s` here was read atomically, and the
    // worker wrote the state before publishing it.
    const state = slots.i32[b + S_STATE]!;
    if (state !== DONE || task === undefined || task.isFinished()) {
      // Cancelled while queued (the worker that popped it dropped its arguments' handles),
      // an aborted task's late result, or an orphan of a dead thread: nothing to report.
      // A late result's shared handles are dropped, as Rust drops an output nobody joins.
      if (state === DONE && slots.i32[b + S_STATUS] === STATUS_OK) this.#codec.discardResult(s);
      else this.#codec.release(s);
      this.#partition.release(s, task);
      return;
    }
    const status = slots.i32[b + S_STATUS]!;
    if (status === STATUS_CANCELLED) {
      this.#codec.release(s);
      this.#partition.release(s, task);
      task.settle(false, new JoinError('cancelled', task.id));
      return;
    }
    let value: unknown;
    try {
      // Scoped so a read that must wait for a side-channel message counts no handle twice;
      // the handles in a result are the caller's, like any value it receives.
      value = this.#codec.isNumeric(s) ? this.#codec.readResult(s) : decodeOwned(() => this.#codec.readResult(s)).value;
    } catch (err) {
      if (err instanceof PayloadPending || err instanceof SabPending) {
        this.#codec.side.whenReady(err.id).then(
          () => this.complete(s),
          () => undefined,
        );
        return;
      }
      this.#partition.release(s, task);
      task.settle(false, new JoinError('panic', task.id, err));
      return;
    }
    this.#partition.release(s, task);
    if (status === STATUS_OK) task.settle(true, value);
    else
      task.settle(
        false,
        new JoinError('panic', task.id, status === STATUS_PANIC ? decodeThrown(value as EncodedThrown) : value),
      );
  }
}
