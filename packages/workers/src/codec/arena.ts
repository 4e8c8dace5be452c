/**
 * The overflow arena: shared memory for payloads too big for a task slot's inline area.
 *
 * A payload is written by one thread (the spawner, or the worker that produced a result)
 * and freed by another (whoever decoded it), so the allocator is shared. Like Tokio's
 * inject queue it sits behind a tiny lock: critical sections are a few word updates.
 * Blocks come in power-of-two size classes (128 B .. 64 KiB) with one free list per class
 * and a bump pointer for fresh memory, so alloc and free are O(1) and never walk the heap.
 * Bigger payloads, or any payload when the arena is full, go through the side channel
 * instead (`sab_channel.ts`), so an exhausted arena slows things down but loses nothing.
 */
import { lock, unlock } from '../shared/spin_lock.js';

const LOCK = 0;
const BUMP = 1;
const USED = 2; // bytes handed out, for diagnostics
const HEADS = 4; // free-list heads, one per class (byte offset + 1; 0 = empty)
const MIN_SHIFT = 7; // 128 B
const CLASSES = 10; // .. 64 KiB
const HEADER_BYTES = 64;

/** The largest payload the arena takes. */
export const ARENA_MAX_BLOCK = 1 << (MIN_SHIFT + CLASSES - 1);

function classOf(len: number): number {
  let c = 0;
  while (1 << (MIN_SHIFT + c) < len) c++;
  return c;
}

/** A shared size-class allocator over one SharedArrayBuffer. */
export class Arena {
  /** Allocate the shared memory for an arena of `bytes` (at least the header). */
  static create(bytes: number): SharedArrayBuffer {
    const sab = new SharedArrayBuffer(Math.max(HEADER_BYTES, bytes));
    new Int32Array(sab)[BUMP] = HEADER_BYTES;
    return sab;
  }

  readonly sab: SharedArrayBuffer;
  /** The whole arena as bytes (Buffer methods read and write shared memory directly). */
  readonly bytes: Buffer;
  readonly dv: DataView;
  readonly #w: Int32Array;

  constructor(sab: SharedArrayBuffer) {
    this.sab = sab;
    this.bytes = Buffer.from(sab);
    this.dv = new DataView(sab);
    this.#w = new Int32Array(sab, 0, HEADER_BYTES / 4);
  }

  /** A block of at least `len` bytes: its byte offset, or -1 when none is free. */
  alloc(len: number): number {
    if (len > ARENA_MAX_BLOCK) return -1;
    const c = classOf(len);
    const size = 1 << (MIN_SHIFT + c);
    const w = this.#w;
    lock(w, LOCK);
    let off = -1;
    const head = w[HEADS + c]!;
    if (head !== 0) {
      off = head - 1;
      w[HEADS + c] = this.dv.getInt32(off, true);
    } else if (w[BUMP]! + size <= this.sab.byteLength) {
      off = w[BUMP]!;
      w[BUMP] = off + size;
    }
    if (off >= 0) w[USED] = w[USED]! + size;
    unlock(w, LOCK);
    return off;
  }

  /** Return a block of `len` bytes (the length it was allocated for) at `off`. */
  free(off: number, len: number): void {
    const c = classOf(len);
    const w = this.#w;
    lock(w, LOCK);
    this.dv.setInt32(off, w[HEADS + c]!, true);
    w[HEADS + c] = off + 1;
    w[USED] = w[USED]! - (1 << (MIN_SHIFT + c));
    unlock(w, LOCK);
  }

  /** Bytes currently allocated. */
  get used(): number {
    return Atomics.load(this.#w, USED);
  }
}
