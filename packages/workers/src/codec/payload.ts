/**
 * Task arguments and results in a task slot, without postMessage.
 *
 * DESIGN.md: the hot path doesn't use `postMessage` (tens of microseconds per round trip);
 * a task is (type id, encoded arguments) in shared memory. This picks the cheapest form
 * that carries a value with structured-clone semantics, fastest first:
 *
 * | kind        | what                                   | where                         |
 * | ----------- | -------------------------------------- | ----------------------------- |
 * | EMPTY       | `[]` / `undefined`                     | nothing                       |
 * | F64         | up to ten numbers                      | the slot's Float64 view       |
 * | WIRE        | plain data (wire.ts)                   | inline, else the arena        |
 * | V8          | anything structured clone takes        | inline, else the arena        |
 * | CH_VALUE    | values with nested SharedArrayBuffers  | side channel (postMessage)    |
 * | CH_WIRE/V8  | bytes bigger than an arena block       | side channel, in a fresh SAB  |
 *
 * A value that can't cross throws SerializationError *before* anything is queued. The
 * reader frees what it read (arena block, side-channel entry); a payload nobody will read
 * (a task cancelled while queued) is released with {@link PayloadCodec.release}.
 */
import { SerializationError } from '@skein/core';
import { unsendableArgument } from '@skein/core/internal';
import { ARENA_MAX_BLOCK, type Arena } from './arena.js';
import { type SideChannel, TO_ANY } from './sab_channel.js';
import { NESTED_SAB, v8Decode, v8Encode } from './v8_codec.js';
import {
  type HandleDescriptor,
  containsHandle,
  decodeOwned,
  dropInFlight,
  dropOwned,
  sendAll,
} from '../sync/handle_codec.js';
import { SabPending, WIRE_BAIL, WireReader, WireWriter } from './wire.js';
import { INLINE_BYTES, S_AUX, S_INLINE, S_KIND, S_LEN, SLOT_WORDS, type SlotTable } from '../scheduler/task_slots.js';

const K_EMPTY = 0;
const K_F64 = 1;
const K_WIRE = 2;
const K_V8 = 3;
const K_CH_VALUE = 4;
const K_CH_WIRE = 5;
const K_CH_V8 = 6;
/** Added to WIRE/V8 when the bytes are in the arena. */
const K_ARENA = 8;

const MAX_F64 = INLINE_BYTES / 8;

/**
 * A number read from a Float64Array is a double to V8 even when it is integral; code that
 * receives it (a recursive `fib(n)`, say) then runs on boxed doubles, measurably slower
 * than on small integers. Hand integral values over as int32 (keeping -0 a double).
 */
function smi(v: number): number {
  return (v | 0) === v && (v !== 0 || 1 / v > 0) ? v | 0 : v;
}

/** Thrown by readers while a side-channel message is still on its way: wait, then read again. */
export class PayloadPending {
  constructor(readonly id: number) {}
}

/** Encoded bytes kept on the spawning thread while the task waits for a free slot. */
export interface Snapshot {
  readonly kind: number;
  readonly bytes: Buffer | undefined;
  readonly f64: readonly number[] | undefined;
  readonly aux: number;
  /** The shared handles in it (crossings committed): dropped if it is never decoded. */
  readonly handles: readonly HandleDescriptor[] | undefined;
}

/** One thread's payload encoder/decoder over the runtime's slot table, arena and side channel. */
export class PayloadCodec {
  readonly #slots: SlotTable;
  readonly #arena: Arena;
  readonly side: SideChannel;
  readonly #writer: WireWriter;
  readonly #reader: WireReader;
  #kind = 0;
  #src: Buffer | undefined = undefined;
  #len = 0;
  #aux = 0;
  #to = TO_ANY;

  constructor(slots: SlotTable, arena: Arena, side: SideChannel) {
    this.#slots = slots;
    this.#arena = arena;
    this.side = side;
    this.#writer = new WireWriter(side);
    this.#reader = new WireReader(side);
  }

  /**
   * Encode the arguments of task `taskName` into slot `s`. Throws SerializationError;
   * writes nothing then.
   */
  writeArgs(s: number, args: readonly unknown[], taskName: string): void {
    if (args.length <= MAX_F64 && this.#tryF64(s, args)) return;
    this.#encode(args, true, TO_ANY, taskName);
    this.#store(s);
    sendAll(this.#writer.handles);
  }

  /**
   * Encode a result of task `taskName` into slot `s`, addressed to thread `to`. Throws
   * SerializationError.
   */
  writeResult(s: number, value: unknown, to: number, taskName: string): void {
    const i = s * SLOT_WORDS;
    const w = this.#slots.i32;
    if (typeof value === 'number') {
      w[i + S_KIND] = K_F64;
      w[i + S_LEN] = 1;
      this.#slots.f64[(i + S_INLINE) >> 1] = value;
      return;
    }
    if (value === undefined) {
      w[i + S_KIND] = K_EMPTY;
      return;
    }
    this.#encode(value, false, to, taskName);
    this.#store(s);
    sendAll(this.#writer.handles);
  }

  /** Encode arguments for later (no slot free yet): validates now, as a spawn must. */
  snapshotArgs(args: readonly unknown[], taskName: string): Snapshot {
    let allNumbers = args.length <= MAX_F64;
    for (let i = 0; allNumbers && i < args.length; i++) allNumbers = typeof args[i] === 'number';
    if (allNumbers) return { kind: K_F64, bytes: undefined, f64: args as number[], aux: 0, handles: undefined };
    this.#encode(args, true, TO_ANY, taskName);
    const bytes = this.#src === undefined ? undefined : Buffer.from(this.#src.subarray(0, this.#len));
    const found = this.#kind === K_WIRE ? this.#writer.handles : [];
    const handles = found.length === 0 ? undefined : found.slice();
    if (handles !== undefined) sendAll(handles);
    return { kind: this.#kind, bytes, f64: undefined, aux: this.#aux, handles };
  }

  /** Write a snapshot into slot `s`. */
  writeSnapshot(s: number, snap: Snapshot): void {
    if (snap.f64 !== undefined) {
      this.#tryF64(s, snap.f64);
      return;
    }
    this.#kind = snap.kind;
    this.#src = snap.bytes;
    this.#len = snap.bytes?.length ?? 0;
    this.#aux = snap.aux;
    this.#to = TO_ANY;
    this.#store(s);
  }

  /** Decode a snapshot on this thread (its task runs here after all): a structured clone. */
  readSnapshot(snap: Snapshot): unknown[] {
    if (snap.f64 !== undefined) return snap.f64.slice();
    switch (snap.kind) {
      case K_WIRE: {
        const b = snap.bytes!;
        return this.#reader.decode(b, new DataView(b.buffer, b.byteOffset, b.byteLength), 0) as unknown[];
      }
      case K_V8:
        return v8Decode(snap.bytes!, this.side) as unknown[];
      default:
        return this.side.takePayload(snap.aux) as unknown[];
    }
  }

  /**
   * Release a snapshot that will never be written nor read (its spawn was abandoned): the
   * shared handles in it are dropped, as its task would have dropped them.
   */
  releaseSnapshot(snap: Snapshot): void {
    if (snap.kind === K_CH_VALUE || snap.kind === K_CH_WIRE || snap.kind === K_CH_V8)
      this.side.discardPayload(snap.aux);
    if (snap.handles !== undefined) dropInFlight(snap.handles);
  }

  /**
   * Decode the arguments in slot `s` and free their storage. Throws {@link PayloadPending}
   * or SabPending (wait on `side.whenReady(e.id)`, then call again).
   */
  readArgs(s: number): unknown[] {
    const i = s * SLOT_WORDS;
    const kind = this.#slots.i32[i + S_KIND]!;
    if (kind === K_F64) {
      const n = this.#slots.i32[i + S_LEN]!;
      const base = (i + S_INLINE) >> 1;
      const f = this.#slots.f64;
      switch (n) {
        case 0:
          return [];
        case 1:
          return [smi(f[base]!)];
        case 2:
          return [smi(f[base]!), smi(f[base + 1]!)];
        default: {
          const out: unknown[] = new Array(n);
          for (let k = 0; k < n; k++) out[k] = smi(f[base + k]!);
          return out;
        }
      }
    }
    if (kind === K_EMPTY) return [];
    return this.#read(s, kind) as unknown[];
  }

  /**
   * Whether the payload in slot `s` is numbers or nothing, so it can't carry a shared
   * handle: decoding it needs none of handle_codec's bookkeeping (`decodeOwned`), and can't
   * throw.
   */
  isNumeric(s: number): boolean {
    const kind = this.#slots.i32[s * SLOT_WORDS + S_KIND]!;
    return kind === K_F64 || kind === K_EMPTY;
  }

  /** Decode the result in slot `s` and free its storage (same pending rules as readArgs). */
  readResult(s: number): unknown {
    const i = s * SLOT_WORDS;
    const kind = this.#slots.i32[i + S_KIND]!;
    if (kind === K_F64) return smi(this.#slots.f64[(i + S_INLINE) >> 1]!);
    if (kind === K_EMPTY) return undefined;
    return this.#read(s, kind);
  }

  /**
   * Free the arguments in slot `s` of a task that will never run, which no thread has
   * decoded: the shared handles in them are rebuilt here and dropped, as the task would
   * have dropped them. Arguments this thread can't decode (still on their way through the
   * side channel) are only released.
   */
  discardArgs(s: number): void {
    this.#discard(s, () => this.readArgs(s));
  }

  /** {@link discardArgs} for a result nobody will receive (its task was aborted or dropped). */
  discardResult(s: number): void {
    this.#discard(s, () => this.readResult(s));
  }

  #discard(s: number, read: () => unknown): void {
    try {
      dropOwned(decodeOwned(read).owned);
    } catch {
      // Not decodable here: release the storage below, as before.
    }
    this.release(s);
  }

  /** Free the payload in slot `s` without reading it (a task cancelled while queued). */
  release(s: number): void {
    const i = s * SLOT_WORDS;
    const w = this.#slots.i32;
    const kind = w[i + S_KIND]!;
    if ((kind & K_ARENA) !== 0) this.#arena.free(w[i + S_AUX]!, w[i + S_LEN]!);
    else if (kind === K_CH_VALUE || kind === K_CH_WIRE || kind === K_CH_V8) this.side.discardPayload(w[i + S_AUX]!);
    w[i + S_KIND] = K_EMPTY;
  }

  #tryF64(s: number, args: readonly unknown[]): boolean {
    const n = args.length;
    for (let k = 0; k < n; k++) if (typeof args[k] !== 'number') return false;
    const i = s * SLOT_WORDS;
    const base = (i + S_INLINE) >> 1;
    const f = this.#slots.f64;
    for (let k = 0; k < n; k++) f[base + k] = args[k] as number;
    this.#slots.i32[i + S_KIND] = K_F64;
    this.#slots.i32[i + S_LEN] = n;
    return true;
  }

  /** Encode into #kind/#src/#len/#aux (bytes not yet placed). */
  #encode(value: unknown, isArgs: boolean, to: number, taskName: string): void {
    this.#to = to;
    try {
      try {
        if (isArgs) this.#writer.encodeArgs(value as unknown[]);
        else this.#writer.encode(value);
        this.#kind = K_WIRE;
        this.#src = this.#writer.buf;
        this.#len = this.#writer.pos;
        return;
      } catch (err) {
        if (err !== WIRE_BAIL) throw err;
      }
      if (containsHandle(value)) {
        throw new Error(
          'a shared handle (SharedMutex, a sharedMpsc sender…) can only cross inside plain data: ' +
            'arrays, plain objects, Maps and Sets without cycles, class instances or errors',
        );
      }
      this.#src = v8Encode(value, this.side);
      this.#kind = K_V8;
      this.#len = this.#src.length;
    } catch (err) {
      const bad = isArgs ? unsendableArgument(value as unknown[]) : undefined;
      const what = isArgs ? `${bad ?? 'the arguments'} of task ${taskName}` : `the result of task ${taskName}`;
      if (err !== NESTED_SAB) throw new SerializationError(what, err);
      try {
        this.#aux = this.side.sendPayload(value, to);
      } catch (cloneErr) {
        throw new SerializationError(what, cloneErr);
      }
      this.#kind = K_CH_VALUE;
      this.#src = undefined;
      this.#len = 0;
    }
  }

  /** Place the encoded bytes: inline, arena, or a fresh SAB through the side channel. */
  #store(s: number): void {
    const i = s * SLOT_WORDS;
    const w = this.#slots.i32;
    const kind = this.#kind;
    const src = this.#src;
    const len = this.#len;
    if (src === undefined || kind === K_CH_VALUE || kind === K_CH_WIRE || kind === K_CH_V8) {
      w[i + S_KIND] = kind;
      w[i + S_AUX] = this.#aux;
      w[i + S_LEN] = len;
      return;
    }
    if (len <= INLINE_BYTES) {
      src.copy(this.#slots.bytes, (i + S_INLINE) * 4, 0, len);
      w[i + S_KIND] = kind;
      w[i + S_LEN] = len;
      return;
    }
    const off = len <= ARENA_MAX_BLOCK ? this.#arena.alloc(len) : -1;
    if (off >= 0) {
      src.copy(this.#arena.bytes, off, 0, len);
      w[i + S_KIND] = kind | K_ARENA;
      w[i + S_AUX] = off;
      w[i + S_LEN] = len;
      return;
    }
    const big = new SharedArrayBuffer(len);
    src.copy(Buffer.from(big), 0, 0, len);
    w[i + S_KIND] = kind === K_WIRE ? K_CH_WIRE : K_CH_V8;
    w[i + S_AUX] = this.side.sendPayload(big, this.#to);
    w[i + S_LEN] = len;
  }

  #read(s: number, kind: number): unknown {
    const i = s * SLOT_WORDS;
    const w = this.#slots.i32;
    const len = w[i + S_LEN]!;
    switch (kind) {
      case K_WIRE:
        return this.#reader.decode(this.#slots.bytes, this.#slots.dv, (i + S_INLINE) * 4);
      case K_V8:
        return v8Decode(
          Buffer.from(this.#slots.bytes.subarray((i + S_INLINE) * 4, (i + S_INLINE) * 4 + len)),
          this.side,
        );
      case K_WIRE | K_ARENA: {
        const off = w[i + S_AUX]!;
        const v = this.#reader.decode(this.#arena.bytes, this.#arena.dv, off);
        this.#arena.free(off, len);
        w[i + S_KIND] = K_EMPTY;
        return v;
      }
      case K_V8 | K_ARENA: {
        const off = w[i + S_AUX]!;
        const v = v8Decode(Buffer.from(this.#arena.bytes.subarray(off, off + len)), this.side);
        this.#arena.free(off, len);
        w[i + S_KIND] = K_EMPTY;
        return v;
      }
      case K_CH_VALUE:
      case K_CH_WIRE:
      case K_CH_V8: {
        const id = w[i + S_AUX]!;
        if (!this.side.hasPayload(id)) throw new PayloadPending(id);
        if (kind === K_CH_VALUE) {
          const v = this.side.takePayload(id);
          w[i + S_KIND] = K_EMPTY;
          return v;
        }
        const sab = this.side.peekPayload(id) as SharedArrayBuffer;
        const bytes = Buffer.from(sab);
        const v =
          kind === K_CH_WIRE
            ? this.#reader.decode(bytes, new DataView(sab), 0)
            : v8Decode(Buffer.from(bytes), this.side);
        this.side.takePayload(id);
        w[i + S_KIND] = K_EMPTY;
        return v;
      }
      default:
        throw new Error(`skein: unknown payload kind ${kind} in task slot ${s} (corrupt slot)`);
    }
  }
}

export { SabPending };
