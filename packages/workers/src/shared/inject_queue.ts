/**
 * The global (inject) queue: Tokio's `scheduler/inject` on a SharedArrayBuffer.
 *
 * The main thread spawns into it, workers spill their full local rings into it, and any
 * worker pops from it (every `globalQueueInterval` ticks, or when its own queue is empty).
 * Tokio's inject queue is an intrusive linked list behind a `Mutex`; here it is a
 * power-of-two ring of int32 ids behind a spin lock in the same buffer. A lock is fine
 * for the same reason it is in Tokio: the critical sections only move indices and copy a
 * few ids, and `pushBatch` / `popBatch` take the lock once for a whole batch, which is how
 * overflow (129 ids) and worker refills stay cheap.
 *
 * The ring cannot grow (a SharedArrayBuffer has a fixed size), so capacity is chosen at
 * creation, e.g. 1 << 20 ids. A push that does not fit throws {@link InjectFullError}
 * (`code: 'ERR_SKEIN_INJECT_FULL'`) and takes nothing; the caller backs off and retries.
 * `head` and `tail` are free-running int32 counters, so `tail - head` is the length even
 * after they wrap past 2^31.
 */

import { InjectFullError, checkId, checkPowerOfTwo, checkRegion } from './errors.js';
import { lock, unlock } from './spin_lock.js';
import type { OverflowSink } from './local_queue.js';

// Int32 word indices. The header is one 64-byte line; every field changes under the lock.
const LOCK = 0;
const HEAD = 1; // next id to pop (free-running)
const TAIL = 2; // next free slot (free-running)
const LEN = 3; // tail - head, mirrored so len() needs no lock
const CAPACITY = 4; // written once by initialize()
const BUFFER = 16;

/** Smallest and largest capacities accepted (the largest keeps `tail - head` in int32 range). */
export const INJECT_MIN_CAPACITY = 2;
export const INJECT_MAX_CAPACITY = 1 << 28;

/** The multi-producer multi-consumer global run queue. */
export class InjectQueue implements OverflowSink {
  /** Bytes a queue of `capacity` ids occupies (64-byte header + slots). */
  static bytesFor(capacity: number): number {
    checkPowerOfTwo(capacity, INJECT_MIN_CAPACITY, INJECT_MAX_CAPACITY, 'inject queue capacity');
    return (BUFFER + capacity) * 4;
  }

  /** Writes an empty queue of `capacity` ids (a power of two) at `byteOffset` of `sab`. */
  static initialize(sab: SharedArrayBuffer, byteOffset: number, capacity: number): InjectQueue {
    checkRegion(sab, byteOffset, InjectQueue.bytesFor(capacity), 'InjectQueue');
    const header = new Int32Array(sab, byteOffset, BUFFER);
    header.fill(0);
    Atomics.store(header, CAPACITY, capacity);
    return new InjectQueue(sab, byteOffset);
  }

  /** Allocates a queue of `capacity` ids in its own SharedArrayBuffer. */
  static create(capacity: number): InjectQueue {
    return InjectQueue.initialize(new SharedArrayBuffer(InjectQueue.bytesFor(capacity)), 0, capacity);
  }

  /** The SharedArrayBuffer holding the queue. */
  readonly sab: SharedArrayBuffer;
  /** Byte offset of this queue in `sab`. */
  readonly byteOffset: number;
  /** Slots in the ring. */
  readonly capacity: number;
  private readonly mask: number;
  private readonly q: Int32Array;

  /** Attaches to a queue that `initialize()` wrote at `byteOffset` of `sab`, from any thread. */
  constructor(sab: SharedArrayBuffer, byteOffset: number) {
    checkRegion(sab, byteOffset, BUFFER * 4, 'InjectQueue');
    const capacity = Atomics.load(new Int32Array(sab, byteOffset, BUFFER), CAPACITY);
    checkPowerOfTwo(
      capacity,
      INJECT_MIN_CAPACITY,
      INJECT_MAX_CAPACITY,
      'InjectQueue: capacity found in the buffer (was it initialized?)',
    );
    checkRegion(sab, byteOffset, (BUFFER + capacity) * 4, 'InjectQueue');
    this.sab = sab;
    this.byteOffset = byteOffset;
    this.capacity = capacity;
    this.mask = capacity - 1;
    this.q = new Int32Array(sab, byteOffset, BUFFER + capacity);
  }

  /** Appends one id (a positive int32); throws {@link InjectFullError} when full. */
  push(id: number): void {
    if (!this.tryPush(id)) throw new InjectFullError(1, this.capacity - this.len(), this.capacity);
  }

  /** Appends one id; returns false, taking nothing, when the queue is full. */
  tryPush(id: number): boolean {
    checkId(id);
    const q = this.q;
    lock(q, LOCK);
    const tail = q[TAIL]!;
    const len = (tail - q[HEAD]!) | 0;
    if (len === this.capacity) {
      unlock(q, LOCK);
      return false;
    }
    q[BUFFER + (tail & this.mask)] = id;
    q[TAIL] = (tail + 1) | 0;
    Atomics.store(q, LEN, len + 1);
    unlock(q, LOCK);
    return true;
  }

  /**
   * Appends `count` ids from `ids[start..]` under one lock, in order, all or nothing.
   * Throws {@link InjectFullError} (with `pending === null`) if they do not all fit.
   */
  pushBatch(ids: Int32Array, start = 0, count = ids.length - start): void {
    if (count <= 0) return;
    const q = this.q;
    const mask = this.mask;
    lock(q, LOCK);
    const tail = q[TAIL]!;
    const len = (tail - q[HEAD]!) | 0;
    if (count > this.capacity - len) {
      unlock(q, LOCK);
      throw new InjectFullError(count, this.capacity - len, this.capacity);
    }
    for (let i = 0; i < count; i++) q[BUFFER + ((tail + i) & mask)] = ids[start + i]!;
    q[TAIL] = (tail + count) | 0;
    Atomics.store(q, LEN, len + count);
    unlock(q, LOCK);
  }

  /** Takes the oldest id, or returns 0 when empty. */
  pop(): number {
    const q = this.q;
    if (Atomics.load(q, LEN) === 0) return 0; // skip the lock when obviously empty
    lock(q, LOCK);
    const head = q[HEAD]!;
    if (head === q[TAIL]) {
      unlock(q, LOCK);
      return 0;
    }
    const id = q[BUFFER + (head & this.mask)]!;
    q[HEAD] = (head + 1) | 0;
    Atomics.sub(q, LEN, 1);
    unlock(q, LOCK);
    return id;
  }

  /**
   * Moves up to `max` of the oldest ids into `dst[dstOffset..]` under one lock and returns
   * how many it moved (0 when empty).
   */
  popBatch(dst: Int32Array, max = dst.length, dstOffset = 0): number {
    const q = this.q;
    if (max <= 0 || Atomics.load(q, LEN) === 0) return 0;
    const mask = this.mask;
    lock(q, LOCK);
    const head = q[HEAD]!;
    const len = (q[TAIL]! - head) | 0;
    const n = Math.min(len, max);
    for (let i = 0; i < n; i++) dst[dstOffset + i] = q[BUFFER + ((head + i) & mask)]!;
    q[HEAD] = (head + n) | 0;
    Atomics.store(q, LEN, len - n);
    unlock(q, LOCK);
    return n;
  }

  /** Ids queued now (lock-free snapshot; feeds the `globalQueueDepth` metric). */
  len(): number {
    return Atomics.load(this.q, LEN);
  }

  /** True when nothing is queued (snapshot). */
  isEmpty(): boolean {
    return Atomics.load(this.q, LEN) === 0;
  }
}
