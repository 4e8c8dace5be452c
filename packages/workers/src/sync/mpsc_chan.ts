/**
 * The shared state of one sharedMpsc channel, as seen from one thread: core's
 * `mpsc/chan.ts` in a SharedArrayBuffer. One buffer holds the primitive header, a permit
 * core counting free capacity (bounded channels; Tokio builds its bounded channel on the
 * same semaphore), a few channel words (senders alive, receiver closed, messages queued)
 * and the byte ring the messages travel in.
 *
 * Sending encodes the value first (SerializationError / RangeError at the call), then
 * takes a capacity permit, then writes a ring record. Receiving reads a record, decodes it
 * and gives its permit back. The receiver sees the end once the sender count is 0 and the
 * ring is drained: counts are in shared memory, so "every sender, everywhere" is exact.
 */
import { HandleKind } from './handle_codec.js';
import { ByteRing } from './byte_ring.js';
import type { PermitCore } from './permit_core.js';
import type { Owned } from './thread_ledger.js';
import { threadId } from 'node:worker_threads';
import { allocatePrimitive, attachPrimitive } from './primitive_buffer.js';
import { holdThread, letThreadGo } from './shared_wait.js';
import { waitAsync } from '../shared/wait_async.js';
import { decodeValue, encodeValue, type Encoded } from './value_codec.js';

// Channel words, from the start of the primitive's region.
const SENDERS = 0;
const RX_CLOSED = 16;
const COUNT = 32;
/** threadId + 1 of the receiver's thread: a dead one closes the channel. */
const RX_THREAD = 40;
const CHAN_WORDS = 48;

const WHAT = 'a value sent on a sharedMpsc channel';

/** Unbounded channels: the permit core is unused. */
const UNBOUNDED = 0;

/** Sizes of a channel's buffer. */
export interface ChanSizes {
  /** Messages (bounded), or 0 for unbounded. */
  capacity: number;
  maxBytes: number;
  /** Data bytes of the ring, a power of two. */
  ringBytes: number;
}

function nextPow2(n: number): number {
  return 2 ** Math.ceil(Math.log2(Math.max(n, 64)));
}

/** The ring a channel of `capacity` (0: unbounded) with values of up to `maxBytes` gets by default. */
export function defaultRingBytes(capacity: number, maxBytes: number): number {
  // Room for the largest record twice (a record never wraps), and for a full bounded
  // channel of small messages; unbounded channels start with 1 MiB and spill beyond it.
  const records = capacity === UNBOUNDED ? 1 << 20 : capacity * 64;
  return nextPow2(Math.max(records, 2 * (maxBytes + 8)));
}

/** One thread's view of a channel. */
export class Chan {
  /** Allocates a channel with one sender. */
  static create(sizes: ChanSizes, maxQueued: number): Chan {
    const region = CHAN_WORDS * 4 + ByteRing.bytesFor(sizes.ringBytes);
    const buf = allocatePrimitive(
      HandleKind.mpscSender,
      sizes.capacity,
      maxQueued,
      [sizes.capacity, sizes.maxBytes, sizes.ringBytes],
      region,
    );
    const chan = new Chan(buf.sab);
    Atomics.store(chan.#words, SENDERS, 1);
    chan.core.own(1);
    chan.adoptReceiver();
    return chan;
  }

  readonly sab: SharedArrayBuffer;
  readonly core: PermitCore;
  readonly ring: ByteRing;
  /** Messages the channel holds at most, or 0 when unbounded. */
  readonly capacity: number;
  readonly maxBytes: number;
  readonly #words: Int32Array;

  /** Attaches to a channel another thread created. */
  constructor(sab: SharedArrayBuffer) {
    const buf = attachPrimitive(sab, HandleKind.mpscSender);
    this.sab = sab;
    this.core = buf.core;
    this.capacity = buf.params[0]!;
    this.maxBytes = buf.params[1]!;
    this.#words = new Int32Array(sab, buf.regionOffset, CHAN_WORDS);
    this.ring = new ByteRing(sab, buf.regionOffset + CHAN_WORDS * 4, buf.params[2]!);
  }

  get bounded(): boolean {
    return this.capacity !== UNBOUNDED;
  }

  /** Encodes `v` for this channel (SerializationError, RangeError). */
  encode(v: unknown): Encoded {
    return encodeValue(v, this.maxBytes, WHAT);
  }

  /** Writes an encoded value into the ring; false when it lacks room right now. */
  tryPush(e: Encoded): boolean {
    if (!this.ring.tryWrite(e.format, e.bytes, e.length)) return false;
    // Bounded channels count messages with their permits; only unbounded ones need this word.
    if (!this.bounded) Atomics.add(this.#words, COUNT, 1);
    return true;
  }

  /**
   * Writes `e`, waiting (without blocking the thread) for the receiver to free bytes.
   * Resolves false if the receiver closed meanwhile (the value was not sent).
   */
  async pushAsync(e: Encoded): Promise<boolean> {
    holdThread();
    try {
      for (;;) {
        if (this.rxClosed()) return false;
        if (this.tryPush(e)) return true;
        const flagged = this.ring.announceSpaceWait();
        if (flagged === undefined) continue;
        // After the flag: a close from now on clears it, so the wait below can't miss it.
        if (this.rxClosed()) return false;
        await this.ring.spaceChanged(flagged);
      }
    } finally {
      letThreadGo();
    }
  }

  /** Writes `e`, blocking the thread until the ring has room; false if the receiver closed. */
  pushBlocking(e: Encoded): boolean {
    for (;;) {
      if (this.rxClosed()) return false;
      if (this.tryPush(e)) return true;
      const flagged = this.ring.announceSpaceWait();
      if (flagged === undefined) continue;
      if (this.rxClosed()) return false;
      this.ring.spaceChangedSync(flagged);
    }
  }

  /** Receiver: takes the oldest message, or returns `EMPTY`. Gives its capacity permit back. */
  tryPop(): unknown {
    const size = this.ring.peek();
    return size < 0 ? EMPTY : this.take(size);
  }

  /** Receiver: takes the record of `size` bytes that `ring.peek()` just found. */
  take(size: number): unknown {
    const ring = this.ring;
    let value: unknown;
    try {
      value = decodeValue(ring.bytes, ring.readOffset, size, ring.view);
    } finally {
      ring.consume(size);
    }
    if (this.bounded) this.core.release(1);
    else Atomics.sub(this.#words, COUNT, 1);
    return value;
  }

  /** Messages queued (a snapshot; for a bounded channel, sends in progress count too). */
  len(): number {
    if (this.bounded) return Math.max(0, this.capacity - this.core.available());
    return Math.max(0, Atomics.load(this.#words, COUNT));
  }

  senders(): number {
    return Atomics.load(this.#words, SENDERS);
  }

  /**
   * One more sender: a clone on this thread (`here`), or a copy crossing to another thread,
   * which is this thread's no longer and counts as that thread's once it arrives
   * ({@link adoptSender}).
   */
  addSender(here: boolean): void {
    Atomics.add(this.#words, SENDERS, 1);
    if (here) this.core.own(1);
  }

  /** A sender copy arrived on this thread: its thread owns it (see `PermitCore.own`). */
  adoptSender(): void {
    this.core.own(1);
  }

  /** The receiver now lives on this thread. */
  adoptReceiver(): void {
    Atomics.store(this.#words, RX_THREAD, threadId + 1);
  }

  /** One sender of this thread fewer; the last one wakes the receiver so it can see the end. */
  dropSender(): void {
    this.core.own(-1);
    this.#dropSenders(1);
  }

  #dropSenders(n: number): void {
    if (Atomics.sub(this.#words, SENDERS, n) === n) this.ring.ring();
  }

  /**
   * Thread `tid` has exited owning `held` (its ledger's entry): the senders it owned are
   * dropped, and if the receiver lived there the channel closes (senders fail instead of
   * waiting forever). Returns what it did.
   */
  releaseThread(tid: number, held: Owned): { senders: number; receiver: boolean } {
    const { owned } = this.core.releaseThread(tid, held);
    if (owned > 0) this.#dropSenders(owned);
    const receiver = Atomics.load(this.#words, RX_THREAD) === tid + 1;
    if (receiver) this.closeRx();
    return { senders: owned, receiver };
  }

  rxClosed(): boolean {
    return Atomics.load(this.#words, RX_CLOSED) !== 0;
  }

  /** The receiver closed: fail blocked senders, wake those waiting for bytes or for `closed()`. */
  closeRx(): void {
    if (Atomics.exchange(this.#words, RX_CLOSED, 1) !== 0) return;
    this.core.close();
    Atomics.notify(this.#words, RX_CLOSED);
    this.ring.ring();
    this.ring.wakeSpaceWaiters();
  }

  /** Resolves once the receiver has closed (senders' `closed()`). */
  async rxClosedAsync(): Promise<void> {
    holdThread();
    try {
      while (!this.rxClosed()) {
        const r = waitAsyncWord(this.#words, RX_CLOSED, 0);
        if (r !== undefined) await r;
      }
    } finally {
      letThreadGo();
    }
  }
}

/** What `tryPop` returns when no message is ready. */
export const EMPTY: unique symbol = Symbol('skein.sharedMpsc.empty') as never;

function waitAsyncWord(w: Int32Array, i: number, v: number): Promise<unknown> | undefined {
  const r = waitAsync(w, i, v);
  return r.async ? r.value : undefined;
}
