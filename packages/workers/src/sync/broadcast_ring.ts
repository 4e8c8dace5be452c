/**
 * The ring of a sharedBroadcast channel, as seen from one thread: Tokio's broadcast buffer
 * laid out in shared memory. `capacity` slots (a power of two), each stamped with the
 * position it holds, then the value's bytes; TAIL is the position the next send takes.
 *
 * A slot starts one lap behind (stamped `index - capacity`), which reads as "not written
 * yet", so a receiver tells a value it may read, an empty ring and a value overwritten
 * under it apart by the stamp alone. The senders and receivers (`shared_broadcast.ts`)
 * decide what to do with each; this file only knows where things are.
 */
import { HandleKind } from './handle_codec.js';
import { FIRST_OWN_WORD, FanoutChannel } from './fanout_channel.js';

/** The position the next send writes. */
export const TAIL = FIRST_OWN_WORD;
/** Senders alive on every thread; the last one to go closes the channel. */
const TX_COUNT = FIRST_OWN_WORD + 1;
// Slot words, then the value's bytes.
/** Slot word: the position the slot holds. */
export const S_POS = 0;
/** Slot word: the encoded value's length. */
export const S_LEN = 1;
/** Bytes of a slot's header; the value's bytes follow. */
export const SLOT_HEADER = 8;

/** Bytes one slot for values of up to `maxBytes` takes. */
export function slotBytes(maxBytes: number): number {
  return SLOT_HEADER + Math.ceil(maxBytes / 8) * 8;
}

/** One thread's view of a broadcast channel's buffer. */
export class Ring extends FanoutChannel {
  /** Slots, a power of two. */
  readonly capacity: number;
  readonly maxBytes: number;
  /** The whole buffer, for the values' bytes. */
  readonly bytes: Buffer;
  readonly view: DataView;
  /** The whole buffer as words, for the slots' headers. */
  readonly all: Int32Array;
  readonly #slotBytes: number;

  constructor(sab: SharedArrayBuffer) {
    super(sab, HandleKind.broadcastSender);
    this.capacity = this.params[0]!;
    this.maxBytes = this.params[1]!;
    this.#slotBytes = slotBytes(this.maxBytes);
    this.bytes = Buffer.from(sab);
    this.view = new DataView(sab);
    this.all = new Int32Array(sab);
  }

  /** Int32 index (in `all`) of the header of the slot holding `pos`. */
  slotWord(pos: number): number {
    return (this.dataOffset + (pos & (this.capacity - 1)) * this.#slotBytes) >> 2;
  }

  /** One more sender, made here or crossing to another thread. */
  addTx(): void {
    Atomics.add(this.w, TX_COUNT, 1);
  }

  /** `n` senders fewer; the last one closes the channel. */
  dropTx(n: number): void {
    if (Atomics.sub(this.w, TX_COUNT, n) === n) this.closeTx();
  }

  /** Stamps every slot one lap behind ("not written yet"); one sender and one receiver. */
  initialize(): void {
    const all = this.all;
    for (let i = 0; i < this.capacity; i++) all[this.slotWord(i) + S_POS] = i - this.capacity;
    Atomics.store(this.w, TX_COUNT, 1);
    this.addRx();
  }
}
