/**
 * `SharedBarrier`: core's `Barrier` for tasks on any thread of a runtime. `n` tasks call
 * `wait()`; the n-th arrival, wherever it runs, completes the generation, is its only
 * leader and wakes the others.
 *
 * The arrival count and the generation live in the buffer, changed together under a
 * futex lock (shared/spin_lock.ts), so exactly one arrival per generation sees the count
 * reach `n`. The others wait for the generation word to move (`word_wait.ts`): one notify
 * wakes every thread's waiters, and a waiter that was cancelled has nothing to give back.
 */
import { assertNumber, coop, type BarrierWaitResult } from '@skein/core';
import { lock, unlock } from '../shared/spin_lock.js';
import { HandleKind, SHARED_HANDLE, registerHandleKind, type HandleDescriptor } from './handle_codec.js';
import { allocatePrimitive, attachPrimitive, type PrimitiveBuffer } from './primitive_buffer.js';
import { wordChanged } from './word_wait.js';

// Words of the barrier's region.
const LOCK = 0;
const ARRIVED = 1;
/** Completed generations; the EVENT word its waiters sleep on. */
const GENERATION = 2;
const WORDS = 4;

const LEADER: BarrierWaitResult = Object.freeze({ isLeader: true });
const FOLLOWER: BarrierWaitResult = Object.freeze({ isLeader: false });

/** Tokio's `Barrier` shared by every thread of a runtime: a rendezvous for `n` tasks, round after round. */
export class SharedBarrier {
  readonly #buf: PrimitiveBuffer;
  readonly #w: Int32Array;
  readonly #n: number;

  static {
    registerHandleKind(HandleKind.barrier, (sab) => new SharedBarrier(0, attachPrimitive(sab, HandleKind.barrier)));
  }

  /** `n` = 0 behaves as 1, as in Tokio. Errors: RangeError for a negative or non-integer `n`. */
  constructor(n: number);
  /** @internal */
  constructor(n: number, attached: PrimitiveBuffer);
  constructor(n: number, attached?: PrimitiveBuffer) {
    if (attached === undefined) {
      assertNumber(n, 'n', 0, true);
      attached = allocatePrimitive(HandleKind.barrier, 0, 1, [n === 0 ? 1 : n], WORDS * 4);
    }
    this.#buf = attached;
    this.#n = attached.params[0]!;
    this.#w = new Int32Array(attached.sab, attached.regionOffset, WORDS);
  }

  /** Completed generations so far (a snapshot). */
  get generation(): number {
    return Atomics.load(this.#w, GENERATION);
  }

  /**
   * Arrive and wait for the other `n - 1`, on whatever threads. Exactly one task per
   * generation resolves with `isLeader: true`: the last to arrive.
   * Cancel safety: like Tokio's, not cancel safe in one sense: a task cancelled after
   * arriving stops waiting, but its arrival still counts toward the generation.
   * So does the arrival of a task whose thread dies while it waits (`dead_thread.ts`).
   * Errors: `Cancelled` when the task is cancelled.
   */
  async wait(): Promise<BarrierWaitResult> {
    const c = coop();
    if (c !== undefined) await c;
    const w = this.#w;
    lock(w, LOCK);
    const gen = w[GENERATION]!;
    if (w[ARRIVED]! + 1 >= this.#n) {
      w[ARRIVED] = 0;
      // Under the lock: an arrival of the next generation must not read the old number.
      Atomics.add(w, GENERATION, 1);
      unlock(w, LOCK);
      Atomics.notify(w, GENERATION);
      return LEADER;
    }
    w[ARRIVED]!++;
    unlock(w, LOCK);
    while (Atomics.load(w, GENERATION) === gen) await wordChanged(w, GENERATION, gen);
    return FOLLOWER;
  }

  /** @internal Crosses threads as its buffer. */
  [SHARED_HANDLE](): HandleDescriptor {
    return { kind: HandleKind.barrier, sab: this.#buf.sab };
  }
}
