/**
 * `sharedOneshot`: core's `oneshot` for tasks on any thread of a runtime. One buffer
 * holds a STATE word (bits: sent, sender closed, receiver closed) and a value cell; the
 * sender stores the value (a structured clone) before it sets the sent bit, so a receiver
 * that sees the bit sees the value. Waiters on either side wait for STATE to move
 * (`word_wait.ts`) and re-check it, so a cancelled wait has nothing to undo.
 *
 * Both ends *move* when passed to a task (Rust's move): the copy left behind is used up,
 * and the task's copy is closed when the task finishes (a sender that didn't send then
 * makes the receiver reject with RecvError closed, as a dropped Rust sender does). Each
 * end counts on the thread it lives on (the permit core's thread table), so a thread that
 * dies holding one drops it ({@link releaseOneshotThread}).
 */
import { AlreadyReleasedError, RecvError, SendError, TryRecvError, coop } from '@skein/core';
import { HandleKind, SHARED_HANDLE, adopt, registerHandleKind, type HandleDescriptor } from './handle_codec.js';
import type { PermitCore } from './permit_core.js';
import { allocatePrimitive, attachPrimitive } from './primitive_buffer.js';
import { Ledger, type Owned } from './thread_ledger.js';
import { DEFAULT_MAX_BYTES, ValueCell } from './value_cell.js';
import { wordChanged } from './word_wait.js';

const WHAT = 'a value sent on a sharedOneshot channel';

// STATE bits.
const SENT = 1;
const TX_CLOSED = 2;
const RX_CLOSED = 4;
const CELL_OFFSET = 8;

/** Options of {@link sharedOneshot.channel}. */
export interface SharedOneshotOptions {
  /** Most bytes the encoded value may take (default 64 KiB); a larger one throws RangeError. */
  maxBytes?: number;
}

/** One thread's view of a oneshot channel's buffer. */
class Slot {
  readonly sab: SharedArrayBuffer;
  readonly state: Int32Array;
  readonly cell: ValueCell;
  /** Unused as a semaphore: its thread table counts which thread holds each end. */
  readonly core: PermitCore;

  constructor(sab: SharedArrayBuffer) {
    const buf = attachPrimitive(sab, HandleKind.oneshotSender);
    this.sab = sab;
    this.core = buf.core;
    this.state = new Int32Array(sab, buf.regionOffset, 1);
    this.cell = new ValueCell(sab, buf.regionOffset + CELL_OFFSET, buf.params[0]!);
  }

  load(): number {
    return Atomics.load(this.state, 0);
  }

  /** Sets `bit` and wakes both sides; returns the state before. */
  set(bit: number): number {
    const before = Atomics.or(this.state, 0, bit);
    Atomics.notify(this.state, 0);
    return before;
  }

  wait(seen: number): Promise<void> {
    return wordChanged(this.state, 0, seen);
  }
}

/** Set by SharedOneshotSender's static block, the one place that may call its private constructor. */
let constructSender: <T>(slot: Slot) => SharedOneshotSender<T>;

/** Sends the channel's one value, from any thread. */
export class SharedOneshotSender<T> implements Disposable {
  readonly #slot: Slot;
  #open = true;

  /** Made by `sharedOneshot.channel`; counts on this thread. */
  private constructor(slot: Slot) {
    this.#slot = slot;
    slot.core.own(1);
  }

  static {
    constructSender = (slot) => new SharedOneshotSender(slot);
  }

  /** This copy is used up: it no longer counts on this thread. */
  #useUp(): void {
    this.#open = false;
    this.#slot.core.own(-1);
  }

  /**
   * Send the value (never waits). The sender is used up unless the value can't be stored.
   * Errors: SendError (with `.value`) when the receiver has closed; AlreadyReleasedError
   * when this sender was used, closed or moved; SerializationError / RangeError (over
   * maxBytes), with nothing sent and the sender still usable.
   */
  send(value: T): void {
    if (!this.#open) throw new AlreadyReleasedError('sharedOneshot sender');
    const slot = this.#slot;
    if ((slot.load() & RX_CLOSED) !== 0) {
      this.#useUp();
      throw new SendError(value);
    }
    slot.cell.write(value, WHAT);
    this.#useUp();
    slot.set(SENT);
  }

  /** Whether the receiver has closed (a send would fail), or this sender is used up. */
  isClosed(): boolean {
    return !this.#open || (this.#slot.load() & RX_CLOSED) !== 0;
  }

  /**
   * Resolves when the receiver closes, on whatever thread: stop computing a value nobody wants.
   * Cancel safety: cancel-safe. Errors: `Cancelled` when the task is cancelled.
   */
  async closed(): Promise<void> {
    const c = coop();
    if (c !== undefined) await c;
    const slot = this.#slot;
    for (let s = slot.load(); (s & RX_CLOSED) === 0; s = slot.load()) await slot.wait(s);
  }

  /** Drop the sender without sending: the receiver rejects with RecvError (closed). Idempotent. */
  close(): void {
    if (!this.#open) return;
    this.#useUp();
    this.#slot.set(TX_CLOSED);
  }

  /** `close()`. */
  [Symbol.dispose](): void {
    this.close();
  }

  /** @internal Crossing moves the sender: this copy is used up. */
  [SHARED_HANDLE](): HandleDescriptor {
    if (!this.#open) throw new AlreadyReleasedError('sharedOneshot sender');
    return { kind: HandleKind.oneshotSender, sab: this.#slot.sab, send: () => this.#useUp() };
  }
}

/** Set by SharedOneshotReceiver's static block, the one place that may call its private constructor. */
let constructReceiver: <T>(slot: Slot) => SharedOneshotReceiver<T>;

/** Receives the channel's one value, on any thread; `await` it. */
export class SharedOneshotReceiver<T> implements PromiseLike<T>, Disposable {
  readonly #slot: Slot;
  #moved = false;
  /** Counts on this thread: neither closed nor moved away. */
  #counted = true;
  #value: { v: T } | undefined = undefined;

  /** Made by `sharedOneshot.channel`; counts on this thread. */
  private constructor(slot: Slot) {
    this.#slot = slot;
    slot.core.own(1, Ledger.receivers);
  }

  static {
    constructReceiver = (slot) => new SharedOneshotReceiver(slot);
  }

  #uncount(): void {
    if (!this.#counted) return;
    this.#counted = false;
    this.#slot.core.own(-1, Ledger.receivers);
  }

  /**
   * Await the value (this thread's copy).
   * Cancel safety: cancel-safe; the value stays in the channel for the next await.
   * Errors: RecvError (closed) when the sender closed without sending, or this receiver
   * was closed with nothing sent; AlreadyReleasedError once moved to another thread;
   * `Cancelled` when the task is cancelled.
   */
  then<R1 = T, R2 = never>(
    onfulfilled?: ((value: T) => R1 | PromiseLike<R1>) | null,
    onrejected?: ((reason: unknown) => R2 | PromiseLike<R2>) | null,
  ): Promise<R1 | R2> {
    return this.#recv().then(onfulfilled, onrejected);
  }

  async #recv(): Promise<T> {
    if (this.#moved) throw new AlreadyReleasedError('sharedOneshot receiver (it was moved to another thread)');
    const slot = this.#slot;
    let s = slot.load();
    while ((s & (SENT | TX_CLOSED | RX_CLOSED)) === 0) {
      await slot.wait(s);
      s = slot.load();
    }
    // Ready with the value or the error: charged either way (see `coop`).
    const c = coop();
    if (c !== undefined) await c;
    return this.#take();
  }

  #take(): T {
    const s = this.#slot.load();
    if ((s & SENT) === 0) throw new RecvError('closed');
    this.#value ??= { v: this.#slot.cell.read() as T };
    return this.#value.v;
  }

  /**
   * The value if it has been sent.
   * Errors: TryRecvError `empty` (not yet) or `disconnected` (the sender closed without
   * sending, or this receiver closed).
   */
  tryRecv(): T {
    if (this.#moved) throw new AlreadyReleasedError('sharedOneshot receiver (it was moved to another thread)');
    const s = this.#slot.load();
    if ((s & SENT) !== 0) return this.#take();
    throw new TryRecvError((s & (TX_CLOSED | RX_CLOSED)) !== 0 ? 'disconnected' : 'empty');
  }

  /**
   * Refuse the value: a later `send` fails, the sender's `closed()` resolves. A value sent
   * before still arrives. Idempotent.
   */
  close(): void {
    if (this.#moved) return;
    this.#uncount();
    if ((this.#slot.load() & RX_CLOSED) === 0) this.#slot.set(RX_CLOSED);
  }

  /** `close()`: Rust's drop of the receiver. */
  [Symbol.dispose](): void {
    this.close();
  }

  /** @internal Crossing moves the receiver: this copy can't be used any more. */
  [SHARED_HANDLE](): HandleDescriptor {
    if (this.#moved) throw new AlreadyReleasedError('sharedOneshot receiver (it was moved to another thread)');
    return {
      kind: HandleKind.oneshotReceiver,
      sab: this.#slot.sab,
      send: () => {
        this.#moved = true;
        this.#uncount();
      },
    };
  }
}

/**
 * Thread `tid` has exited: a sender it held that hadn't sent is dropped (the receiver
 * sees the channel closed), a receiver it held is closed (the sender's `closed()`
 * resolves). Returns what it did, for the log, or undefined if the thread held neither.
 */
export function releaseOneshotThread(sab: SharedArrayBuffer, tid: number, held: Owned): string | undefined {
  const slot = new Slot(sab);
  const { owned, receivers } = slot.core.releaseThread(tid, held);
  const done: string[] = [];
  if (owned > 0 && (slot.load() & (SENT | TX_CLOSED)) === 0) {
    slot.set(TX_CLOSED);
    done.push('dropped its sharedOneshot sender (the receiver sees the channel closed)');
  }
  // Only a live sender can be waiting for the receiver to close.
  if (receivers > 0 && (slot.load() & (SENT | TX_CLOSED | RX_CLOSED)) === 0) {
    slot.set(RX_CLOSED);
    done.push('closed its sharedOneshot receiver');
  }
  return done.length === 0 ? undefined : done.join(' and ');
}

registerHandleKind(HandleKind.oneshotSender, (sab) => {
  const tx = constructSender<unknown>(new Slot(sab));
  adopt({ drop: () => tx.close() });
  return tx;
});
registerHandleKind(HandleKind.oneshotReceiver, (sab) => {
  const rx = constructReceiver<unknown>(new Slot(sab));
  adopt({ drop: () => rx.close() });
  return rx;
});

/** Single-value channels whose ends work on, and move between, any threads of a runtime. */
export const sharedOneshot = {
  /**
   * A new single-value channel: `[sender, receiver]`.
   * Errors: RangeError when `maxBytes` is out of range.
   */
  channel<T>(opts: SharedOneshotOptions = {}): [SharedOneshotSender<T>, SharedOneshotReceiver<T>] {
    const maxBytes = opts.maxBytes ?? DEFAULT_MAX_BYTES;
    const buf = allocatePrimitive(
      HandleKind.oneshotSender,
      0,
      1,
      [maxBytes],
      CELL_OFFSET + ValueCell.bytesFor(maxBytes),
    );
    const slot = new Slot(buf.sab);
    return [constructSender<T>(slot), constructReceiver<T>(slot)];
  },
};
