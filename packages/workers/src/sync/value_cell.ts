/**
 * One structured-cloned value in shared memory: what a SharedMutex or SharedRwLock
 * protects. Only the lock holder reads or writes it, and the lock's atomics order those
 * accesses, so the bytes need no atomics of their own.
 */
import {
  DEFAULT_MAX_BYTES,
  checkMaxBytes,
  decodeValue,
  encodeValue,
  writeEncoded,
  type Encoded,
} from './value_codec.js';

/** A value cell at a byte offset of a primitive's buffer: a length word, then the bytes. */
export class ValueCell {
  /** Bytes a cell for values of up to `maxBytes` occupies. */
  static bytesFor(maxBytes: number): number {
    checkMaxBytes(maxBytes);
    return 8 + maxBytes;
  }

  readonly #len: Int32Array;
  readonly #bytes: Buffer;
  /** The largest encoded value the cell takes. */
  readonly maxBytes: number;

  /** Attaches to the cell at `offset` (8-aligned) of `sab`, made for `maxBytes`. */
  constructor(sab: SharedArrayBuffer, offset: number, maxBytes: number) {
    this.#len = new Int32Array(sab, offset, 1);
    this.#bytes = Buffer.from(sab, offset + 8, maxBytes);
    this.maxBytes = maxBytes;
  }

  /** A fresh copy of the stored value (`undefined` when none was stored). */
  read(): unknown {
    const len = this.#len[0]!;
    return len === 0 ? undefined : decodeValue(this.#bytes, 0, len);
  }

  /** Stores a structured clone of `value`. Errors: SerializationError, RangeError (too big); nothing changes then. */
  write(value: unknown, what: string): void {
    if (value === undefined) {
      this.#len[0] = 0;
      return;
    }
    this.store(encodeValue(value, this.maxBytes, what));
  }

  /** Encodes `value` for this cell without storing it (to store it later, under a lock). */
  encode(value: unknown, what: string): Encoded {
    return encodeValue(value, this.maxBytes, what);
  }

  /** Stores a value {@link encode} made. */
  store(e: Encoded): void {
    writeEncoded(e, this.#bytes, 0);
    this.#len[0] = e.size;
  }
}

export { DEFAULT_MAX_BYTES };
