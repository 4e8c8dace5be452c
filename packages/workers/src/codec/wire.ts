/**
 * The fast wire format for task arguments and results.
 *
 * Tokio moves a task's future between threads by pointer; JavaScript has to copy the data.
 * `v8.serialize` implements structured clone, but each call costs about 5 µs (a serializer
 * object, a header, a Buffer), which is more than running a tiny task. Most arguments are
 * plain data: numbers, strings, booleans, arrays and plain objects of those. This module
 * encodes that subset, plus Maps, Sets, Dates, bigints, ArrayBuffers and typed arrays, into
 * a byte buffer in a few hundred nanoseconds, and bails out ({@link WIRE_BAIL}) on anything
 * else (errors, regexps, class instances, shared references, cycles), which then goes
 * through the v8 serializer (`v8_codec.ts`). The two agree on what comes out: structured
 * clone of a plain object is a plain object.
 *
 * SharedArrayBuffers, and typed arrays over them, are written as a registry id
 * (`sab_channel.ts`): they are shared, not copied, exactly as `postMessage` shares them.
 */
import { viewLength, viewType } from './views.js';
import { type HandleDescriptor, SHARED_HANDLE, isSharedHandle } from '../sync/handle_codec.js';
import {
  MAX_NODES,
  T_ARRAY,
  T_ARRAY_BUFFER,
  T_BIGINT,
  T_DATE,
  T_F64,
  T_FALSE,
  T_HANDLE,
  T_INT,
  T_MAP,
  T_NULL,
  T_OBJECT,
  T_SAB,
  T_SET,
  T_STR,
  T_TRUE,
  T_UNDEFINED,
  T_VIEW,
  WIRE_BAIL,
  type SabResolver,
  type Utf8Buffer,
} from './wire_format.js';

export { WIRE_BAIL, SabPending, type SabResolver } from './wire_format.js';
export { WireReader } from './wire_reader.js';

/** `String.prototype.isWellFormed` (ES2024; the workspace's lib is ES2022). */
interface WellFormed {
  isWellFormed(): boolean;
}

/** A growable byte buffer the encoder writes into; one per thread, reused. */
export class WireWriter {
  buf: Buffer = Buffer.allocUnsafe(1024);
  dv = new DataView(this.buf.buffer, this.buf.byteOffset, this.buf.byteLength);
  pos = 0;
  /**
   * The shared handles the last encode wrote; the caller commits them (`sendAll`) once the
   * payload is complete, or drops the encoding, changing nothing.
   */
  readonly handles: HandleDescriptor[] = [];
  #seen: object[] = [];
  #nodes = 0;
  readonly #sabs: SabResolver;

  constructor(sabs: SabResolver) {
    this.#sabs = sabs;
  }

  /** Encode `value`; throws WIRE_BAIL if it is outside the fast subset. Bytes: buf[0..pos). */
  encode(value: unknown): void {
    this.pos = 0;
    if (this.handles.length !== 0) this.handles.length = 0;
    // A primitive (most channel messages) neither counts nodes nor enters the seen list:
    // skip their bookkeeping, which costs more than encoding a number.
    if (typeof value !== 'object' || value === null) {
      this.#value(value);
      return;
    }
    this.#nodes = 0;
    try {
      this.#value(value);
    } finally {
      this.#seen.length = 0;
    }
  }

  /** Encode the elements of `args` as an array value. */
  encodeArgs(args: readonly unknown[]): void {
    this.pos = 0;
    this.#nodes = 0;
    this.handles.length = 0;
    try {
      this.#array(args);
    } finally {
      this.#seen.length = 0;
    }
  }

  #ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + n) size *= 2;
    const next = Buffer.allocUnsafe(size);
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
    this.dv = new DataView(next.buffer, next.byteOffset, next.byteLength);
  }

  #value(v: unknown): void {
    switch (typeof v) {
      case 'number':
        if ((v | 0) === v && (v !== 0 || 1 / v > 0)) {
          this.#ensure(5);
          this.buf[this.pos] = T_INT;
          this.dv.setInt32(this.pos + 1, v, true);
          this.pos += 5;
        } else {
          this.#ensure(9);
          this.buf[this.pos] = T_F64;
          this.dv.setFloat64(this.pos + 1, v, true);
          this.pos += 9;
        }
        return;
      case 'string':
        this.#string(v);
        return;
      case 'boolean':
        this.#ensure(1);
        this.buf[this.pos++] = v ? T_TRUE : T_FALSE;
        return;
      case 'undefined':
        this.#ensure(1);
        this.buf[this.pos++] = T_UNDEFINED;
        return;
      case 'object':
        if (v === null) {
          this.#ensure(1);
          this.buf[this.pos++] = T_NULL;
          return;
        }
        if (Array.isArray(v)) {
          if (Object.getPrototypeOf(v) !== Array.prototype) throw WIRE_BAIL;
          this.#array(v);
          return;
        }
        if (v instanceof SharedArrayBuffer) {
          this.#ensure(5);
          this.buf[this.pos] = T_SAB;
          this.dv.setUint32(this.pos + 1, this.#sabs.idOf(v), true);
          this.pos += 5;
          return;
        }
        if (ArrayBuffer.isView(v)) {
          this.#view(v);
          return;
        }
        this.#object(v);
        return;
      case 'bigint': {
        const digits = v.toString();
        this.#ensure(5 + digits.length);
        this.buf[this.pos] = T_BIGINT;
        this.dv.setUint32(this.pos + 1, digits.length, true);
        this.buf.write(digits, this.pos + 5, 'latin1');
        this.pos += 5 + digits.length;
        return;
      }
      default:
        throw WIRE_BAIL; // symbol, function: the v8 path rejects them with its own message
    }
  }

  #view(v: ArrayBufferView): void {
    const t = viewType(v);
    if (t < 0) throw WIRE_BAIL;
    this.#enter(v);
    const buffer = v.buffer;
    if (buffer instanceof SharedArrayBuffer) {
      this.#ensure(15);
      this.buf[this.pos] = T_VIEW;
      this.buf[this.pos + 1] = t;
      this.buf[this.pos + 2] = 1;
      this.dv.setUint32(this.pos + 3, this.#sabs.idOf(buffer), true);
      this.dv.setUint32(this.pos + 7, v.byteOffset, true);
      this.dv.setUint32(this.pos + 11, viewLength(v), true);
      this.pos += 15;
      return;
    }
    this.#enter(buffer); // two views of one buffer must stay one buffer: leave that to v8
    const n = v.byteLength;
    this.#ensure(7 + n);
    this.buf[this.pos] = T_VIEW;
    this.buf[this.pos + 1] = t;
    this.buf[this.pos + 2] = 0;
    this.dv.setUint32(this.pos + 3, n, true);
    this.buf.set(new Uint8Array(buffer, v.byteOffset, n), this.pos + 7);
    this.pos += 7 + n;
  }

  #bytes(tag: number, bytes: Uint8Array): void {
    const n = bytes.length;
    this.#ensure(5 + n);
    this.buf[this.pos] = tag;
    this.dv.setUint32(this.pos + 1, n, true);
    this.buf.set(bytes, this.pos + 5);
    this.pos += 5 + n;
  }

  #string(s: string): void {
    const max = s.length * 3;
    this.#ensure(5 + max);
    const start = this.pos + 5;
    let n: number;
    if (s.length <= 24) {
      // Short strings: a JS loop beats the native call; fall back on the first non-ASCII.
      n = 0;
      for (; n < s.length; n++) {
        const c = s.charCodeAt(n);
        if (c >= 0x80) break;
        this.buf[start + n] = c;
      }
      if (n < s.length) n = this.#utf8(s, start, max);
    } else {
      n = this.#utf8(s, start, max);
    }
    this.buf[this.pos] = T_STR;
    this.dv.setUint32(this.pos + 1, n, true);
    this.pos = start + n;
  }

  /**
   * UTF-8 would turn a lone surrogate into U+FFFD, where structured clone keeps it: such a
   * string goes to the v8 path.
   */
  #utf8(s: string, start: number, max: number): number {
    if (!(s as unknown as WellFormed).isWellFormed()) throw WIRE_BAIL;
    return (this.buf as unknown as Utf8Buffer).utf8Write(s, start, max);
  }

  /** Maps, Sets, Dates, ArrayBuffers (exactly those classes) and shared handles; anything else bails. */
  #special(o: object, proto: unknown): void {
    if (proto === Map.prototype) {
      this.#enter(o);
      const m = o as Map<unknown, unknown>;
      this.#ensure(5);
      this.buf[this.pos] = T_MAP;
      this.dv.setUint32(this.pos + 1, m.size, true);
      this.pos += 5;
      for (const [k, v] of m) {
        this.#value(k);
        this.#value(v);
      }
    } else if (proto === Set.prototype) {
      this.#enter(o);
      const set = o as Set<unknown>;
      this.#ensure(5);
      this.buf[this.pos] = T_SET;
      this.dv.setUint32(this.pos + 1, set.size, true);
      this.pos += 5;
      for (const v of set) this.#value(v);
    } else if (proto === Date.prototype) {
      this.#ensure(9);
      this.buf[this.pos] = T_DATE;
      this.dv.setFloat64(this.pos + 1, (o as Date).getTime(), true);
      this.pos += 9;
    } else if (proto === ArrayBuffer.prototype) {
      this.#enter(o);
      this.#bytes(T_ARRAY_BUFFER, new Uint8Array(o as ArrayBuffer));
    } else if (isSharedHandle(o)) {
      // Shared, not copied: the other thread rebuilds the handle over the same memory.
      const d = o[SHARED_HANDLE]();
      this.#ensure(9);
      this.buf[this.pos] = T_HANDLE;
      this.dv.setUint32(this.pos + 1, d.kind, true);
      this.dv.setUint32(this.pos + 5, this.#sabs.idOf(d.sab), true);
      this.pos += 9;
      this.handles.push(d);
    } else {
      throw WIRE_BAIL;
    }
  }

  #enter(o: object): void {
    if (++this.#nodes > MAX_NODES) throw WIRE_BAIL;
    // Structured clone keeps shared references and cycles; a tree encoding can't.
    if (this.#seen.includes(o)) throw WIRE_BAIL;
    this.#seen.push(o);
  }

  #array(a: readonly unknown[]): void {
    this.#enter(a);
    const len = a.length;
    this.#ensure(5);
    this.buf[this.pos] = T_ARRAY;
    this.dv.setUint32(this.pos + 1, len, true);
    this.pos += 5;
    for (let i = 0; i < len; i++) {
      if (!(i in a)) throw WIRE_BAIL; // holes survive structured clone; keep them
      this.#value(a[i]);
    }
  }

  #object(o: object): void {
    const proto: unknown = Object.getPrototypeOf(o);
    if (proto !== Object.prototype && proto !== null) {
      this.#special(o, proto);
      return;
    }
    this.#enter(o);
    this.#ensure(5);
    const at = this.pos;
    this.buf[at] = T_OBJECT;
    this.pos += 5;
    let n = 0;
    for (const key in o) {
      if (!Object.hasOwn(o, key)) continue;
      this.#string(key);
      this.#value((o as Record<string, unknown>)[key]);
      n++;
    }
    this.dv.setUint32(at + 1, n, true);
  }
}
