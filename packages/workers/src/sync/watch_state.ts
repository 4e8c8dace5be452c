/**
 * The state of a sharedWatch channel, as seen from one thread: one value (a structured
 * clone in a value cell) and its VERSION, past the fan-out channel's words.
 *
 * Kept apart from the sender and receivers (`shared_watch.ts`) because it is the only part
 * that touches the buffer: publishing copies the encoded value in and bumps VERSION under
 * the lock, reading copies it out with the version it had, and each wakes or is woken
 * through EVENT like every fan-out channel.
 */
import { lock, unlock } from '../shared/spin_lock.js';
import { CHANNEL_WORDS, FIRST_OWN_WORD, FanoutChannel, LOCK } from './fanout_channel.js';
import { HandleKind } from './handle_codec.js';
import { ValueCell } from './value_cell.js';

const WHAT = 'a value sent on a sharedWatch channel';

/** The version of the value the cell holds; bumped by every publish. */
export const VERSION = FIRST_OWN_WORD;

/** One thread's view of a watch channel's buffer. */
export class WatchState extends FanoutChannel {
  readonly cell: ValueCell;

  constructor(sab: SharedArrayBuffer) {
    super(sab, HandleKind.watchSender);
    this.cell = new ValueCell(sab, this.dataOffset, this.params[0]!);
  }

  /** Bytes a channel's region takes for values of up to `maxBytes`. */
  static regionBytes(maxBytes: number): number {
    return CHANNEL_WORDS * 4 + ValueCell.bytesFor(maxBytes);
  }

  /** Writes the first value (nobody else sees the buffer yet). Errors: SerializationError, RangeError. */
  initialize(value: unknown): void {
    this.cell.write(value, WHAT);
    this.addRx();
  }

  /** Stores `value` as a new version and wakes every waiter. Errors: SerializationError, RangeError. */
  publish(value: unknown): void {
    const e = this.cell.encode(value, WHAT);
    const w = this.w;
    lock(w, LOCK);
    this.cell.store(e);
    Atomics.add(w, VERSION, 1);
    unlock(w, LOCK);
    this.signal();
  }

  /** The current value (a fresh copy) and its version. */
  read(): [unknown, number] {
    const w = this.w;
    lock(w, LOCK);
    try {
      return [this.cell.read(), w[VERSION]!];
    } finally {
      unlock(w, LOCK);
    }
  }
}
