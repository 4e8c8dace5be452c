/**
 * The per-worker local run queue: Tokio's `scheduler/multi_thread/queue.rs` on a
 * SharedArrayBuffer.
 *
 * Each worker owns one fixed ring of 256 task ids. Only the owner pushes (it alone writes
 * `tail`) and pops; any other thread may steal half of it. Tokio's trick is to pack two
 * head indices into one atomic word so a thief can claim a whole run of slots with a
 * single compare-and-swap:
 *
 * - `real` (low 16 bits): the next slot to hand out. Pops and steals advance it.
 * - `steal` (high 16 bits): where the slots still being copied by a thief begin. While a
 *   thief copies, `steal !== real`; the owner must not reuse those slots, so free space is
 *   `256 - (tail - steal)`, and no second thief may start (one steal at a time).
 *
 * Indices are 16-bit and wrap (`& 0xffff`); the ring slot is `index & 255`. With 16-bit
 * halves a thief that stalls between reading `head` and its CAS while the owner cycles
 * exactly 65 536 positions could succeed on a stale value (ABA). Tokio accepts the same
 * window on targets without 64-bit atomics; Int32 is the widest Atomics word that does not
 * allocate (BigInt64Array would box a BigInt on every operation).
 *
 * When the ring is full, the owner moves half of it plus the new task to the inject queue
 * in one batch, so the next 128 pushes are cheap again and other workers see the excess.
 *
 * Memory ordering: JS Atomics are sequentially consistent. Slots are written with plain
 * stores before the `tail` store that publishes them, and read with plain loads after the
 * `head` CAS that claims them, so every slot access is ordered by an atomic on head/tail.
 *
 * If the owner thread dies, any one thread may adopt the queue (construct it on the same
 * SAB) and `pop()` it empty: the dead owner will never write `tail` again.
 */

import { rangeError } from '@skein/core';
import { InjectFullError, checkRegion } from './errors.js';

/** Slots in every local queue; Tokio's `LOCAL_QUEUE_CAPACITY`. */
export const LOCAL_QUEUE_CAPACITY = 256;
const MASK = LOCAL_QUEUE_CAPACITY - 1;
/** Tasks moved out at once by an overflow or a steal. */
const HALF = LOCAL_QUEUE_CAPACITY / 2;
const U16 = 0xffff;

// Int32 word indices inside the region. Words 0..15 are the header (one 64-byte line).
const HEAD = 0; // (steal << 16) | real
const TAIL = 1; // 16-bit, written by the owner only
const OVERFLOW_COUNT = 2; // times this owner moved half its ring to the inject queue
const STEAL_COUNT = 3; // tasks stolen into this queue by its owner
const STEAL_OPERATIONS = 4; // successful steals into this queue
const BUFFER = 16;
const WORDS = BUFFER + LOCAL_QUEUE_CAPACITY;

/** Where a full local queue spills: the inject queue implements it. */
export interface OverflowSink {
  /** Takes one id, or throws {@link InjectFullError}. */
  push(id: number): void;
  /** Takes `count` ids from `ids[start..]` all or nothing, or throws {@link InjectFullError}. */
  pushBatch(ids: Int32Array, start: number, count: number): void;
}

function pack(steal: number, real: number): number {
  return (steal << 16) | real;
}

/** A worker's local run queue. One owner thread; any thread may steal. */
export class LocalQueue {
  /** Bytes one queue occupies: a 64-byte header and 256 int32 slots. */
  static bytesFor(): number {
    return WORDS * 4;
  }

  /** Allocates a fresh queue in its own SharedArrayBuffer. */
  static create(): LocalQueue {
    return new LocalQueue(new SharedArrayBuffer(LocalQueue.bytesFor()), 0);
  }

  /** The SharedArrayBuffer holding the queue; send it with `byteOffset` to other threads. */
  readonly sab: SharedArrayBuffer;
  /** Byte offset of this queue in `sab`. */
  readonly byteOffset: number;
  private readonly q: Int32Array;
  /** Overflow staging: half the ring plus the new task, allocated once. */
  private readonly scratch = new Int32Array(HALF + 1);

  /**
   * Attaches to the queue at `byteOffset` of `sab` (a zeroed region is an empty queue).
   * Every thread builds its own instance over the same memory.
   */
  constructor(sab: SharedArrayBuffer, byteOffset: number) {
    checkRegion(sab, byteOffset, WORDS * 4, 'LocalQueue');
    this.sab = sab;
    this.byteOffset = byteOffset;
    this.q = new Int32Array(sab, byteOffset, WORDS);
  }

  /**
   * Owner only. Appends `id`; if the ring is full, moves half of it plus `id` to `sink`
   * in one batch. Throws {@link InjectFullError} if the sink is full: when its `pending`
   * is set, those ids left this queue and the caller must re-submit them.
   */
  pushBackOrOverflow(id: number, sink: OverflowSink): void {
    const q = this.q;
    for (;;) {
      const head = Atomics.load(q, HEAD);
      const steal = head >>> 16;
      const real = head & U16;
      const tail = q[TAIL]!; // only this thread writes it
      if (((tail - steal) & U16) < LOCAL_QUEUE_CAPACITY) {
        q[BUFFER + (tail & MASK)] = id;
        Atomics.store(q, TAIL, (tail + 1) & U16);
        return;
      }
      if (steal !== real) {
        // A thief is mid-copy and will free room soon; spilling just this task is enough.
        sink.push(id);
        return;
      }
      if (this.pushOverflow(id, real, sink)) return;
      // A thief began a steal between our load and our CAS; look again (it frees room).
    }
  }

  /** Claims the oldest half of a full ring and hands it, plus `id`, to `sink`. */
  private pushOverflow(id: number, head: number, sink: OverflowSink): boolean {
    const q = this.q;
    const prev = pack(head, head);
    const next = (head + HALF) & U16;
    if (Atomics.compareExchange(q, HEAD, prev, pack(next, next)) !== prev) return false;
    const scratch = this.scratch;
    for (let i = 0; i < HALF; i++) scratch[i] = q[BUFFER + ((head + i) & MASK)]!;
    scratch[HALF] = id;
    Atomics.add(q, OVERFLOW_COUNT, 1);
    try {
      sink.pushBatch(scratch, 0, HALF + 1);
    } catch (err) {
      if (err instanceof InjectFullError && err.pending === null) {
        throw new InjectFullError(err.requested, err.free, err.capacity, scratch.slice());
      }
      throw err;
    }
    return true;
  }

  /**
   * Owner only. Appends `count` ids from `ids[start..]`, e.g. a batch taken from the
   * inject queue. Throws a `RangeError` if they do not fit in {@link remainingSlots}.
   */
  pushBackBatch(ids: Int32Array, start: number, count: number): void {
    const q = this.q;
    const tail = q[TAIL]!;
    const steal = Atomics.load(q, HEAD) >>> 16;
    if (count > LOCAL_QUEUE_CAPACITY - ((tail - steal) & U16)) {
      throw rangeError(`pushBackBatch: ${count} ids do not fit in the local queue (${this.remainingSlots()} free)`);
    }
    for (let i = 0; i < count; i++) q[BUFFER + ((tail + i) & MASK)] = ids[start + i]!;
    Atomics.store(q, TAIL, (tail + count) & U16);
  }

  /** Owner only. Takes the oldest id (FIFO), or returns 0 when empty. */
  pop(): number {
    const q = this.q;
    // A plain read: the CAS below decides, and returns the current word when this one is
    // stale. A stale `real` can't pass TAIL either (only the owner moves TAIL), so "empty"
    // is never answered for a queue that has work.
    let head = q[HEAD]!;
    for (;;) {
      const steal = head >>> 16;
      const real = head & U16;
      if (real === q[TAIL]) return 0;
      const nextReal = (real + 1) & U16;
      // With no thief active both halves move together; otherwise only `real` moves.
      const next = steal === real ? pack(nextReal, nextReal) : pack(steal, nextReal);
      const actual = Atomics.compareExchange(q, HEAD, head, next);
      if (actual === head) return q[BUFFER + (real & MASK)]!;
      head = actual;
    }
  }

  /**
   * Called by the owner of `dst` (never `dst === this`). Steals half of this queue into
   * `dst` and returns one of the stolen ids to run now, or 0 if nothing was taken
   * (empty, another thief is active, or `dst` is more than half full).
   */
  stealInto(dst: LocalQueue): number {
    if (dst.sab === this.sab && dst.byteOffset === this.byteOffset)
      throw new Error('stealInto: a queue cannot steal from itself');
    const dq = dst.q;
    const dstTail = dq[TAIL]!;
    const dstSteal = Atomics.load(dq, HEAD) >>> 16;
    // Like Tokio, give up rather than steal less when the destination lacks room for half.
    if (((dstTail - dstSteal) & U16) > HALF) return 0;
    let n = this.stealInto2(dq, dstTail);
    if (n === 0) return 0;
    Atomics.add(dq, STEAL_COUNT, n);
    Atomics.add(dq, STEAL_OPERATIONS, 1);
    n -= 1;
    const ret = dq[BUFFER + ((dstTail + n) & MASK)]!;
    if (n !== 0) Atomics.store(dq, TAIL, (dstTail + n) & U16);
    return ret;
  }

  /** Claims, copies and releases up to half of this queue; returns how many ids moved. */
  private stealInto2(dq: Int32Array, dstTail: number): number {
    const q = this.q;
    let prev = Atomics.load(q, HEAD);
    let next: number;
    let n: number;
    for (;;) {
      const steal = prev >>> 16;
      const real = prev & U16;
      // Another thief is copying; one steal at a time keeps `steal` meaningful.
      if (steal !== real) return 0;
      const avail = (Atomics.load(q, TAIL) - real) & U16;
      n = avail - (avail >>> 1); // round up, so a queue of one can be stolen
      if (n === 0) return 0;
      if (n > HALF) n = HALF; // only reachable through a stale (ABA) tail; never take more
      next = pack(steal, (real + n) & U16);
      const actual = Atomics.compareExchange(q, HEAD, prev, next);
      if (actual === prev) break;
      prev = actual;
    }
    const first = next >>> 16;
    for (let i = 0; i < n; i++) {
      dq[BUFFER + ((dstTail + i) & MASK)] = q[BUFFER + ((first + i) & MASK)]!;
    }
    // Copy done: move `steal` up to `real` so the owner may reuse the slots.
    prev = next;
    for (;;) {
      const real = prev & U16;
      const done = pack(real, real);
      const actual = Atomics.compareExchange(q, HEAD, prev, done);
      if (actual === prev) return n;
      prev = actual; // the owner popped meanwhile; keep its `real`
    }
  }

  /** Ids in the queue. Exact for the owner; a snapshot from other threads. */
  len(): number {
    const real = Atomics.load(this.q, HEAD) & U16;
    const n = (Atomics.load(this.q, TAIL) - real) & U16;
    return Math.min(n, LOCAL_QUEUE_CAPACITY);
  }

  /** True when no id is queued (snapshot from other threads). */
  isEmpty(): boolean {
    return this.len() === 0;
  }

  /** Owner only. Pushes that fit before an overflow (slots under a thief's copy count as used). */
  remainingSlots(): number {
    const steal = Atomics.load(this.q, HEAD) >>> 16;
    return LOCAL_QUEUE_CAPACITY - ((this.q[TAIL]! - steal) & U16);
  }

  /** Times this queue spilled half of itself to the inject queue. */
  overflowCount(): number {
    return Atomics.load(this.q, OVERFLOW_COUNT);
  }

  /** Ids stolen into this queue by its owner, summed over all steals. */
  stealCount(): number {
    return Atomics.load(this.q, STEAL_COUNT);
  }

  /** Successful steal operations into this queue. */
  stealOperations(): number {
    return Atomics.load(this.q, STEAL_OPERATIONS);
  }
}
