/**
 * Decoding the fast wire format (see wire.ts). Values are rebuilt fresh on the reading
 * thread; SharedArrayBuffers and views over them resolve through the side channel's
 * registry and are shared, not copied.
 */
import { VIEW_TYPES } from './views.js';
import {
  SabPending,
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
  type SabResolver,
  type Utf8Buffer,
} from './wire_format.js';
import { reviveHandle } from '../sync/handle_codec.js';
import '../sync/revive.js';

/** Reads wire-encoded values from any byte region (a slot's inline area, the arena). */
export class WireReader {
  #buf!: Buffer;
  #dv!: DataView;
  #pos = 0;
  readonly #sabs: SabResolver;

  constructor(sabs: SabResolver) {
    this.#sabs = sabs;
  }

  /**
   * Decode the value at `buf[start..]` (`dv` views the same memory). Throws
   * {@link SabPending} if a SharedArrayBuffer it names hasn't arrived here yet.
   */
  decode(buf: Buffer, dv: DataView, start: number): unknown {
    this.#buf = buf;
    this.#dv = dv;
    this.#pos = start;
    return this.#value();
  }

  #value(): unknown {
    const tag = this.#buf[this.#pos++];
    switch (tag) {
      case T_INT: {
        const v = this.#dv.getInt32(this.#pos, true);
        this.#pos += 4;
        return v;
      }
      case T_F64: {
        const v = this.#dv.getFloat64(this.#pos, true);
        this.#pos += 8;
        return v;
      }
      case T_STR:
        return this.#string();
      case T_UNDEFINED:
        return undefined;
      case T_NULL:
        return null;
      case T_TRUE:
        return true;
      case T_FALSE:
        return false;
      case T_ARRAY: {
        const len = this.#dv.getUint32(this.#pos, true);
        this.#pos += 4;
        const a: unknown[] = new Array(len);
        for (let i = 0; i < len; i++) a[i] = this.#value();
        return a;
      }
      case T_OBJECT: {
        const n = this.#dv.getUint32(this.#pos, true);
        this.#pos += 4;
        const o: Record<string, unknown> = {};
        for (let i = 0; i < n; i++) {
          this.#pos++; // T_STR
          const key = this.#string();
          o[key] = this.#value();
        }
        return o;
      }
      case T_SAB: {
        const id = this.#dv.getUint32(this.#pos, true);
        this.#pos += 4;
        const sab = this.#sabs.get(id);
        if (sab === undefined) throw new SabPending(id);
        return sab;
      }
      case T_VIEW:
        return this.#view();
      case T_HANDLE: {
        const kind = this.#dv.getUint32(this.#pos, true);
        const id = this.#dv.getUint32(this.#pos + 4, true);
        this.#pos += 8;
        const sab = this.#sabs.get(id);
        if (sab === undefined) throw new SabPending(id);
        return reviveHandle(kind, sab);
      }
      case T_DATE: {
        const t = this.#dv.getFloat64(this.#pos, true);
        this.#pos += 8;
        return new Date(t);
      }
      case T_MAP: {
        const n = this.#dv.getUint32(this.#pos, true);
        this.#pos += 4;
        const m = new Map<unknown, unknown>();
        for (let i = 0; i < n; i++) {
          const k = this.#value();
          m.set(k, this.#value());
        }
        return m;
      }
      case T_SET: {
        const n = this.#dv.getUint32(this.#pos, true);
        this.#pos += 4;
        const set = new Set<unknown>();
        for (let i = 0; i < n; i++) set.add(this.#value());
        return set;
      }
      case T_BIGINT: {
        const n = this.#dv.getUint32(this.#pos, true);
        const start = this.#pos + 4;
        this.#pos = start + n;
        return BigInt(this.#buf.toString('latin1', start, start + n));
      }
      case T_ARRAY_BUFFER: {
        const n = this.#dv.getUint32(this.#pos, true);
        const start = this.#pos + 4;
        this.#pos = start + n;
        const ab = new ArrayBuffer(n);
        new Uint8Array(ab).set(this.#buf.subarray(start, start + n));
        return ab;
      }
      default:
        throw new Error(`skein wire format: unknown tag ${String(tag)} (corrupt payload)`);
    }
  }

  #view(): ArrayBufferView {
    const buf = this.#buf;
    const ctor = VIEW_TYPES[buf[this.#pos]!]!;
    const shared = buf[this.#pos + 1] === 1;
    const dv = this.#dv;
    if (shared) {
      const id = dv.getUint32(this.#pos + 2, true);
      const offset = dv.getUint32(this.#pos + 6, true);
      const length = dv.getUint32(this.#pos + 10, true);
      this.#pos += 14;
      const sab = this.#sabs.get(id);
      if (sab === undefined) throw new SabPending(id);
      return new ctor(sab, offset, length);
    }
    const n = dv.getUint32(this.#pos + 2, true);
    const start = this.#pos + 6;
    this.#pos = start + n;
    const ab = new ArrayBuffer(n);
    new Uint8Array(ab).set(buf.subarray(start, start + n));
    const per = (ctor as unknown as { BYTES_PER_ELEMENT?: number }).BYTES_PER_ELEMENT ?? 1;
    return new ctor(ab, 0, n / per);
  }

  #string(): string {
    const n = this.#dv.getUint32(this.#pos, true);
    const start = this.#pos + 4;
    this.#pos = start + n;
    return (this.#buf as unknown as Utf8Buffer).utf8Slice(start, start + n);
  }
}
