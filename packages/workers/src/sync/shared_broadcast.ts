/**
 * `sharedBroadcast`: core's `broadcast` for tasks on any thread of a runtime: every
 * receiver, wherever it runs, sees every value.
 *
 * The design is Tokio's ring, in one buffer (`broadcast_ring.ts`): `capacity` (rounded up
 * to a power of two) slots, each stamped with the position it holds, and a TAIL position.
 * A receiver is just a position, kept by its handle. A send overwrites the oldest slot
 * whether or not everyone has read it, so a slow receiver can't block a sender; its next
 * `recv` rejects with `RecvError` lagged(n) and resumes at the oldest value still held.
 *
 * Slots and TAIL change under a futex lock (shared/spin_lock.ts) held only to copy a
 * value's bytes in or out (values are encoded before it is taken). Every send and close
 * bumps the EVENT word (`fanout_channel.ts`), which waiting receivers watch and then re-read
 * the ring: nothing is handed over, so a cancelled `recv` has nothing to undo.
 *
 * Crossing threads: a sender or a receiver passed to a task is a clone made at the `spawn`
 * call (a receiver's at the same position), which the task drops when it finishes. Each
 * end counts on the thread it lives on (the permit core's thread table), so a thread that
 * dies holding some drops them ({@link releaseBroadcastThread}).
 */
import { AlreadyReleasedError, RecvError, SendError, TryRecvError, assertNumber, coop, rangeError } from '@skein/core';
import { lock, unlock } from '../shared/spin_lock.js';
import { Ring, SLOT_HEADER, S_LEN, S_POS, TAIL, slotBytes } from './broadcast_ring.js';
import { CHANNEL_WORDS, EVENT, LOCK } from './fanout_channel.js';
import {
  HANDLE_STATE_MASK,
  HandleKind,
  SHARED_HANDLE,
  adopt,
  registerHandleKind,
  unwrapState,
  withState,
  type HandleDescriptor,
} from './handle_codec.js';
import { allocatePrimitive } from './primitive_buffer.js';
import { Ledger, type Owned } from './thread_ledger.js';
import { DEFAULT_MAX_BYTES, checkMaxBytes, encodeValue, decodeValue, writeEncoded } from './value_codec.js';

const WHAT = 'a value sent on a sharedBroadcast channel';

/** Most bytes the slots of one channel may take. */
const MAX_RING_BYTES = 1 << 30;

/** Options of {@link sharedBroadcast.channel}. */
export interface SharedBroadcastOptions {
  /** Most bytes an encoded value may take (default 64 KiB); each slot reserves this much. */
  maxBytes?: number;
}

// What a receiver's poll of its slot found.
const VALUE = 0;
const EMPTY = 1;
const LAGGED = 2;
const CLOSED_RESULT = 3;

/** Set by SharedBroadcastSender's static block, the one place that may call its private constructor. */
let constructSender: <T>(r: Ring) => SharedBroadcastSender<T>;

/** Sends to every receiver of a sharedBroadcast channel, from any thread. Clone it for more producers. */
export class SharedBroadcastSender<T> implements Disposable {
  readonly #r: Ring;
  #open = true;

  /** Made by `sharedBroadcast.channel` and `clone()`; counts on this thread. */
  private constructor(r: Ring) {
    this.#r = r;
    r.core.own(1);
  }

  static {
    constructSender = (r) => new SharedBroadcastSender(r);
  }

  /**
   * Send to every current receiver, on every thread (never waits; the oldest value is
   * overwritten when the ring is full). Returns how many receivers will see it.
   * Errors: SendError (with `.value`) when there are no receivers (the value is not
   * stored) or this sender was closed; SerializationError / RangeError (over maxBytes).
   */
  send(value: T): number {
    const r = this.#r;
    if (!this.#open || r.receivers() === 0) throw new SendError(value);
    const e = encodeValue(value, r.maxBytes, WHAT);
    const w = r.w;
    const all = r.all;
    lock(w, LOCK);
    const pos = w[TAIL]!;
    const at = r.slotWord(pos);
    writeEncoded(e, r.bytes, (at + SLOT_HEADER / 4) * 4);
    all[at + S_LEN] = e.size;
    all[at + S_POS] = pos;
    Atomics.store(w, TAIL, (pos + 1) | 0);
    unlock(w, LOCK);
    r.signal();
    return r.receivers();
  }

  /** A new receiver on this thread that sees values sent from now on. */
  subscribe(): SharedBroadcastReceiver<T> {
    this.#r.addRx();
    return constructReceiver<T>(this.#r, this.#r.load(TAIL));
  }

  /** Live receivers, on every thread. */
  receiverCount(): number {
    return this.#r.receivers();
  }

  /** Another sender on the same channel. Errors: AlreadyReleasedError if this one is closed. */
  clone(): SharedBroadcastSender<T> {
    if (!this.#open) throw new AlreadyReleasedError('sharedBroadcast sender');
    this.#r.addTx();
    return new SharedBroadcastSender<T>(this.#r);
  }

  /**
   * Drop this sender (idempotent). When the last one on every thread goes, receivers get
   * the values still held, then RecvError (closed).
   */
  close(): void {
    if (!this.#open) return;
    this.#open = false;
    this.#r.core.own(-1);
    this.#r.dropTx(1);
  }

  /**
   * Resolves once every receiver, on every thread, has closed (Tokio's `Sender::closed`).
   * Cancel safety: cancel-safe. Errors: `Cancelled` when the task is cancelled.
   */
  async closed(): Promise<void> {
    const c = coop();
    if (c !== undefined) await c;
    await this.#r.untilNoReceivers();
  }

  /** Whether `other` sends on the same channel. */
  sameChannel(other: SharedBroadcastSender<T>): boolean {
    return this.#r.sab === other.#r.sab;
  }

  /** `close()`. */
  [Symbol.dispose](): void {
    this.close();
  }

  /** @internal Crossing makes a copy there: count it now (the `spawn` call). */
  [SHARED_HANDLE](): HandleDescriptor {
    if (!this.#open) throw new AlreadyReleasedError('sharedBroadcast sender');
    const r = this.#r;
    return { kind: HandleKind.broadcastSender, sab: r.sab, send: () => r.addTx() };
  }
}

/** Set by SharedBroadcastReceiver's static block, the one place that may call its private constructor. */
let constructReceiver: <T>(r: Ring, next: number) => SharedBroadcastReceiver<T>;

/** One subscriber's position in a sharedBroadcast channel. */
export class SharedBroadcastReceiver<T> implements Disposable {
  readonly #r: Ring;
  #next: number;
  #open = true;
  #value: unknown = undefined;
  #lag = 0;

  /** Made by `sharedBroadcast.channel`, `subscribe()` and `resubscribe()`; counts on this thread. */
  private constructor(r: Ring, next: number) {
    this.#r = r;
    this.#next = next;
    r.core.own(1, Ledger.receivers);
  }

  static {
    constructReceiver = (r, next) => new SharedBroadcastReceiver(r, next);
  }

  /**
   * The next value (this thread's copy).
   * Cancel safety: cancel-safe (a waiting recv takes nothing until its task resumes).
   * Errors: RecvError `lagged` (`.lagged` = values skipped; the next recv returns the
   * oldest value still held), RecvError `closed` once every sender closed and this receiver
   * has read everything (or it was closed); `Cancelled` when the task is cancelled.
   */
  async recv(): Promise<T> {
    const r = this.#r;
    for (;;) {
      const e = r.load(EVENT);
      if (this.#open && this.#next === r.load(TAIL) && !r.isClosed()) {
        await r.changed(e);
        continue;
      }
      const c = coop();
      if (c !== undefined) await c;
      const got = this.#poll();
      if (got === VALUE) return this.#take();
      if (got === LAGGED) throw new RecvError('lagged', this.#lag);
      if (got === CLOSED_RESULT) throw new RecvError('closed');
    }
  }

  /**
   * The next value if one is ready.
   * Errors: TryRecvError `empty`, `lagged` (with `.lagged`) or `disconnected` (closed).
   */
  tryRecv(): T {
    switch (this.#poll()) {
      case VALUE:
        return this.#take();
      case EMPTY:
        throw new TryRecvError('empty');
      case LAGGED:
        throw new TryRecvError('lagged', this.#lag);
      default:
        throw new TryRecvError('disconnected');
    }
  }

  #take(): T {
    const v = this.#value as T;
    this.#value = undefined;
    return v;
  }

  /** Tokio's `recv_ref`: read the slot at our position under the lock, or say why not. */
  #poll(): number {
    if (!this.#open) return CLOSED_RESULT;
    const r = this.#r;
    const w = r.w;
    const all = r.all;
    const next = this.#next;
    lock(w, LOCK);
    const at = r.slotWord(next);
    const pos = all[at + S_POS]!;
    if (pos === next) {
      try {
        this.#value = decodeValue(r.bytes, (at + SLOT_HEADER / 4) * 4, all[at + S_LEN]!, r.view);
      } finally {
        unlock(w, LOCK);
      }
      this.#next = (next + 1) | 0;
      return VALUE;
    }
    if (((next - pos) | 0) === r.capacity) {
      unlock(w, LOCK);
      return r.isClosed() ? CLOSED_RESULT : EMPTY;
    }
    // Overwritten: skip to the oldest value still held.
    const oldest = (w[TAIL]! - r.capacity) | 0;
    unlock(w, LOCK);
    this.#lag = (oldest - next) | 0;
    this.#next = oldest;
    return LAGGED;
  }

  /** A new receiver on the same channel, starting at the tail (sees only later values). */
  resubscribe(): SharedBroadcastReceiver<T> {
    this.#r.addRx();
    return new SharedBroadcastReceiver<T>(this.#r, this.#r.load(TAIL));
  }

  /** Values sent that this receiver has yet to read (may exceed capacity when lagging). */
  len(): number {
    return (this.#r.load(TAIL) - this.#next) | 0;
  }

  isEmpty(): boolean {
    return this.len() === 0;
  }

  /** Whether every sender, on every thread, has closed. */
  isClosed(): boolean {
    return this.#r.isClosed();
  }

  /** Whether `other` receives from the same channel. */
  sameChannel(other: SharedBroadcastReceiver<T>): boolean {
    return this.#r.sab === other.#r.sab;
  }

  /** Unsubscribe (Rust's drop). Idempotent. */
  close(): void {
    if (!this.#open) return;
    this.#open = false;
    this.#r.core.own(-1, Ledger.receivers);
    this.#r.dropRx(1);
  }

  /** `close()`. */
  [Symbol.dispose](): void {
    this.close();
  }

  /** @internal Crossing makes a copy there at this position: count it now (the `spawn` call). */
  [SHARED_HANDLE](): HandleDescriptor {
    if (!this.#open) throw new AlreadyReleasedError('sharedBroadcast receiver');
    const r = this.#r;
    return {
      kind: withState(HandleKind.broadcastReceiver, this.#next & HANDLE_STATE_MASK),
      sab: r.sab,
      send: () => r.addRx(),
    };
  }
}

registerHandleKind(HandleKind.broadcastSender, (sab) => {
  const tx = constructSender<unknown>(new Ring(sab));
  adopt({ drop: () => tx.close() });
  return tx;
});
registerHandleKind(HandleKind.broadcastReceiver, (sab, next) => {
  const r = new Ring(sab);
  const rx = constructReceiver<unknown>(r, unwrapState(next, r.load(TAIL)));
  adopt({ drop: () => rx.close() });
  return rx;
});

/** Broadcast channels whose ends work on, and cross between, any threads of a runtime. */
export const sharedBroadcast = {
  /**
   * A broadcast channel holding the last `capacity` values (rounded up to a power of two):
   * `[sender, receiver]`. Call `subscribe()` for more receivers.
   * Errors: RangeError unless `capacity` is an integer >= 1 and the slots
   * (`capacity x maxBytes`) fit in 1 GiB; RangeError for `maxBytes` out of range.
   */
  channel<T>(
    capacity: number,
    opts: SharedBroadcastOptions = {},
  ): [SharedBroadcastSender<T>, SharedBroadcastReceiver<T>] {
    assertNumber(capacity, 'capacity', 1, true);
    const maxBytes = opts.maxBytes ?? DEFAULT_MAX_BYTES;
    checkMaxBytes(maxBytes);
    let cap = 1;
    while (cap < capacity) cap *= 2;
    if (cap * slotBytes(maxBytes) > MAX_RING_BYTES) {
      throw rangeError(
        `a sharedBroadcast channel of capacity ${cap} with maxBytes ${maxBytes} needs more than 1 GiB; pass a smaller capacity or maxBytes`,
      );
    }
    const buf = allocatePrimitive(
      HandleKind.broadcastSender,
      0,
      1,
      [cap, maxBytes],
      CHANNEL_WORDS * 4 + cap * slotBytes(maxBytes),
    );
    const r = new Ring(buf.sab);
    r.initialize();
    return [constructSender<T>(r), constructReceiver<T>(r, 0)];
  },
};

/**
 * Thread `tid` has exited: the senders and receivers it held are dropped (the last sender
 * closes the channel; the senders' `closed()` resolves once no receiver is left). Returns
 * what it did, for the log, or undefined if it held nothing.
 */
export function releaseBroadcastThread(sab: SharedArrayBuffer, tid: number, held: Owned): string | undefined {
  const r = new Ring(sab);
  const { owned, receivers } = r.core.releaseThread(tid, held);
  if (owned > 0) r.dropTx(owned);
  if (receivers > 0) r.dropRx(receivers);
  if (owned === 0 && receivers === 0) return undefined;
  return `dropped its ${owned} sharedBroadcast sender(s) and ${receivers} receiver(s)`;
}
