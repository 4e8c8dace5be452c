/**
 * Values stored in shared memory (a SharedMutex's value, a channel's messages) by
 * structured clone: the runtime's fast wire format when the value is plain data, v8's
 * serializer for the rest, one leading byte saying which.
 *
 * Errors are raised at the call, before any shared state changes: SerializationError when
 * the value can't be cloned (functions, symbols, SharedArrayBuffers, which would need the
 * runtime's side channel and are passed to tasks directly instead), RangeError when its
 * encoding is longer than the primitive's `maxBytes`.
 */
import v8 from 'node:v8';
import { SerializationError, rangeError } from '@skein/core';
import { WIRE_BAIL, WireReader, WireWriter, type SabResolver } from '../codec/wire.js';

const FORMAT_WIRE = 0;
const FORMAT_V8 = 1;

/** Shared memory inside a stored value is refused: it would outlive the call that shared it. */
const NO_SABS: SabResolver = {
  idOf(): number {
    throw new TypeError(
      'a SharedArrayBuffer inside a value stored in a shared primitive; pass it to the task directly',
    );
  },
  get(): undefined {
    return undefined;
  },
};

let writer: WireWriter | undefined;
let reader: WireReader | undefined;

/** Default and largest `maxBytes`. */
export const DEFAULT_MAX_BYTES = 64 * 1024;
export const MAX_MAX_BYTES = 1 << 30;

/** Checks a `maxBytes` option. */
export function checkMaxBytes(maxBytes: number): void {
  if (!Number.isInteger(maxBytes) || maxBytes < 1 || maxBytes > MAX_MAX_BYTES) {
    throw rangeError(`maxBytes must be an integer in [1, 2^30], got ${maxBytes}`);
  }
}

/**
 * An encoded value: a format byte, then the body, `bytes[0..length)`. The one object of
 * this thread, rewritten by every encode (a send of a small value allocates nothing): valid
 * until the next encode on this thread; {@link keepEncoded} makes a copy that stays.
 */
export interface Encoded {
  readonly format: number;
  /** Holds the body in its first `length` bytes (the encoder's buffer: may be longer). */
  readonly bytes: Buffer;
  readonly length: number;
  /** Bytes it takes stored: the format byte and the body. */
  readonly size: number;
}

interface Scratch {
  format: number;
  bytes: Buffer;
  length: number;
  size: number;
}

const scratch: Scratch = { format: FORMAT_WIRE, bytes: Buffer.alloc(0), length: 0, size: 1 };

/**
 * Encodes `value` for a primitive whose values may take `maxBytes`. Throws
 * SerializationError (`what` names the value in the message) or RangeError.
 */
export function encodeValue(value: unknown, maxBytes: number, what: string): Encoded {
  try {
    writer ??= new WireWriter(NO_SABS);
    try {
      writer.encode(value);
      scratch.format = FORMAT_WIRE;
      scratch.bytes = writer.buf;
      scratch.length = writer.pos;
    } catch (err) {
      if (err !== WIRE_BAIL) throw err;
      const body = v8.serialize(value);
      scratch.format = FORMAT_V8;
      scratch.bytes = body;
      scratch.length = body.length;
    }
  } catch (err) {
    throw new SerializationError(what, err);
  }
  const size = scratch.length + 1;
  if (size > maxBytes) {
    throw rangeError(`${what} takes ${size} bytes encoded, more than maxBytes (${maxBytes}); pass a larger maxBytes`);
  }
  scratch.size = size;
  return scratch;
}

/** A copy of `e` that outlives the next encode (a send that has to wait for room). */
export function keepEncoded(e: Encoded): Encoded {
  return { format: e.format, bytes: Buffer.from(e.bytes.subarray(0, e.length)), length: e.length, size: e.size };
}

/** Writes `e` at `target[offset..offset + e.size)`. */
export function writeEncoded(e: Encoded, target: Buffer, offset: number): void {
  target[offset] = e.format;
  e.bytes.copy(target, offset + 1, 0, e.length);
}

/**
 * Decodes `len` bytes at `bytes[offset..]` written by {@link encodeValue} (a fresh copy).
 * `view` is a DataView of the same bytes, if the caller keeps one.
 */
export function decodeValue(bytes: Buffer, offset: number, len: number, view?: DataView): unknown {
  if (bytes[offset] === FORMAT_V8) return v8.deserialize(Buffer.from(bytes.subarray(offset + 1, offset + len)));
  reader ??= new WireReader(NO_SABS);
  return reader.decode(bytes, view ?? new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength), offset + 1);
}
