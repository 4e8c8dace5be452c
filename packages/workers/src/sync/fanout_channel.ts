/**
 * The words a fan-out channel (sharedBroadcast, sharedWatch) keeps ahead of its data, as
 * seen from one thread: a futex LOCK, the EVENT word its waiters watch (`word_wait.ts`),
 * the CLOSED flag of its sending side and the count of its receivers on every thread.
 *
 * Both channels wake every waiter on every change and let each re-check the state, and
 * both end the same way (the sender side closes, or the last receiver goes), so this part
 * is written once; what each keeps beyond it (a ring of slots, one value and its version)
 * starts at {@link FIRST_OWN_WORD}.
 */
import type { PermitCore } from './permit_core.js';
import { attachPrimitive } from './primitive_buffer.js';
import { signal, wordChanged } from './word_wait.js';

/** Futex lock held only to copy a value's bytes in or out (`shared/spin_lock.ts`). */
export const LOCK = 0;
/** Bumped by every change; waiters re-check the state when it moves. */
export const EVENT = 1;
const CLOSED = 2;
const RX_COUNT = 3;
/** The first word of the region a channel may use for itself. */
export const FIRST_OWN_WORD = 4;
/** Words of the region before a channel's data (keeps the data 8-byte aligned). */
export const CHANNEL_WORDS = 8;

/** One thread's view of a fan-out channel's words. */
export class FanoutChannel {
  readonly sab: SharedArrayBuffer;
  /** The channel's words, from the start of the primitive's region. */
  readonly w: Int32Array;
  /** Unused as a semaphore: its thread table counts the ends on each thread. */
  readonly core: PermitCore;
  /** The parameters the channel was allocated with (`allocatePrimitive`). */
  readonly params: readonly number[];
  /** Byte offset of the channel's data, past its words. */
  readonly dataOffset: number;

  /** Attaches to the channel of `kind` that `sab` holds (any thread). */
  constructor(sab: SharedArrayBuffer, kind: number) {
    const buf = attachPrimitive(sab, kind);
    this.sab = sab;
    this.core = buf.core;
    this.params = buf.params;
    this.w = new Int32Array(sab, buf.regionOffset, CHANNEL_WORDS);
    this.dataOffset = buf.regionOffset + CHANNEL_WORDS * 4;
  }

  load(i: number): number {
    return Atomics.load(this.w, i);
  }

  /** Whether the sending side has closed. */
  isClosed(): boolean {
    return Atomics.load(this.w, CLOSED) !== 0;
  }

  /** The sending side is gone: wakes every waiter to see it. */
  closeTx(): void {
    Atomics.store(this.w, CLOSED, 1);
    signal(this.w, EVENT);
  }

  /** Live receivers, on every thread. */
  receivers(): number {
    return Atomics.load(this.w, RX_COUNT);
  }

  /** One more receiver, made here or crossing to another thread (each counts on its own thread). */
  addRx(): void {
    Atomics.add(this.w, RX_COUNT, 1);
  }

  /** `n` receivers fewer: wakes a sender waiting in `closed()`. */
  dropRx(n: number): void {
    Atomics.sub(this.w, RX_COUNT, n);
    signal(this.w, EVENT);
  }

  /** Records a change and wakes every waiter, on every thread. */
  signal(): void {
    signal(this.w, EVENT);
  }

  /** Resolves when EVENT moves from `seen` (a change of any kind), or spuriously. */
  changed(seen: number): Promise<void> {
    return wordChanged(this.w, EVENT, seen);
  }

  /**
   * Resolves once every receiver, on every thread, has closed (a sender's `closed()`).
   * Cancel safety: cancel-safe. Errors: `Cancelled` when the task is cancelled.
   */
  async untilNoReceivers(): Promise<void> {
    for (let e = this.load(EVENT); this.receivers() !== 0; e = this.load(EVENT)) await this.changed(e);
  }
}
