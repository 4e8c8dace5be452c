/**
 * A thread's completion mailbox: a multi-producer single-consumer ring of task ids with
 * one doorbell word.
 *
 * When a task finishes on some worker, the thread holding its JoinHandle must settle a
 * promise. Sending each completion with `postMessage` costs a round trip of tens of
 * microseconds; instead, producers drop the id into the owner's ring and the owner drains
 * everything that arrived in one batch, with a single `Atomics.waitAsync` per thread
 * (not one per handle). This is the shape of Tokio's wake path: a waker only does a
 * syscall-level wake when the target is actually asleep, in the manner of `park.rs`.
 *
 * Producers reserve a slot by CAS on `tail`, then publish the id into it; 0 means "not
 * published yet", which is why ids are positive. The consumer takes slots in order while
 * they are non-zero, zeroes them and publishes `head` so producers may reuse them. A
 * producer stalled between reserving and publishing only delays the ids behind it; its
 * own publish rings the doorbell, so nothing waits forever.
 *
 * Doorbell protocol (Dekker-style, safe because JS Atomics are sequentially consistent):
 * the consumer stores SLEEPING, re-checks the ring, then waits while the word is
 * SLEEPING; a producer publishes, then flips SLEEPING to AWAKE with a CAS and notifies.
 * Either the consumer sees the id, or the producer sees SLEEPING; an id can't be missed.
 */

import { checkId, checkPowerOfTwo, checkRegion } from './errors.js';
import { RESOLVED, waitAsync } from './wait_async.js';

// Int32 word indices; producer-written and consumer-written words sit on separate lines.
const TAIL = 0; // producers: next slot to reserve (free-running)
const HEAD = 16; // consumer: next slot to read (free-running)
const DOORBELL = 32; // AWAKE or SLEEPING
const SIGNAL = 33; // 1 once signal() was called, until takeSignal()
const CAPACITY = 48; // written once by initialize()
const BUFFER = 64;

const AWAKE = 0;
const SLEEPING = 1;

/** Smallest and largest mailbox capacities accepted. */
export const MAILBOX_MIN_CAPACITY = 2;
export const MAILBOX_MAX_CAPACITY = 1 << 28;

/** Ids `drain(cb)` takes per `head` publish. */
const DRAIN_CHUNK = 256;

/** One thread's completion mailbox. Any thread pushes; only the owner drains and waits. */
export class Mailbox {
  /** Bytes a mailbox of `capacity` ids occupies (256-byte header + slots). */
  static bytesFor(capacity: number): number {
    checkPowerOfTwo(capacity, MAILBOX_MIN_CAPACITY, MAILBOX_MAX_CAPACITY, 'mailbox capacity');
    return (BUFFER + capacity) * 4;
  }

  /** Writes an empty mailbox of `capacity` ids (a power of two) at `byteOffset` of `sab`. */
  static initialize(sab: SharedArrayBuffer, byteOffset: number, capacity: number): Mailbox {
    const bytes = Mailbox.bytesFor(capacity);
    checkRegion(sab, byteOffset, bytes, 'Mailbox');
    const words = new Int32Array(sab, byteOffset, bytes / 4);
    words.fill(0);
    Atomics.store(words, CAPACITY, capacity);
    return new Mailbox(sab, byteOffset);
  }

  /** Allocates a mailbox of `capacity` ids in its own SharedArrayBuffer. */
  static create(capacity: number): Mailbox {
    return Mailbox.initialize(new SharedArrayBuffer(Mailbox.bytesFor(capacity)), 0, capacity);
  }

  /** The SharedArrayBuffer holding the mailbox. */
  readonly sab: SharedArrayBuffer;
  /** Byte offset of this mailbox in `sab`. */
  readonly byteOffset: number;
  /** Slots in the ring. */
  readonly capacity: number;
  private readonly mask: number;
  private readonly q: Int32Array;

  /** Attaches to a mailbox that `initialize()` wrote at `byteOffset` of `sab`, from any thread. */
  constructor(sab: SharedArrayBuffer, byteOffset: number) {
    checkRegion(sab, byteOffset, BUFFER * 4, 'Mailbox');
    const capacity = Atomics.load(new Int32Array(sab, byteOffset, BUFFER), CAPACITY);
    checkPowerOfTwo(
      capacity,
      MAILBOX_MIN_CAPACITY,
      MAILBOX_MAX_CAPACITY,
      'Mailbox: capacity found in the buffer (was it initialized?)',
    );
    checkRegion(sab, byteOffset, (BUFFER + capacity) * 4, 'Mailbox');
    this.sab = sab;
    this.byteOffset = byteOffset;
    this.capacity = capacity;
    this.mask = capacity - 1;
    this.q = new Int32Array(sab, byteOffset, BUFFER + capacity);
  }

  /**
   * Any thread. Posts `id` (a positive int32) and rings the doorbell if the owner sleeps.
   * Returns false, posting nothing, when the ring is full; it rings anyway so the owner
   * drains, and the caller retries later (it must not spin-wait on its own mailbox).
   */
  push(id: number): boolean {
    checkId(id);
    const q = this.q;
    const cap = this.capacity;
    // Plain reads where an atomic decides (each Atomics call costs ~150 instructions on
    // Node 24): a stale TAIL fails the CAS, which returns the current one; HEAD only grows,
    // so a stale one can only make the ring look full, and that is checked again atomically.
    let tail = q[TAIL]!;
    for (;;) {
      if (((tail - q[HEAD]!) | 0) >= cap && ((tail - Atomics.load(q, HEAD)) | 0) >= cap) {
        this.ring();
        return false;
      }
      const seen = Atomics.compareExchange(q, TAIL, tail, (tail + 1) | 0);
      if (seen === tail) {
        Atomics.store(q, BUFFER + (tail & this.mask), id);
        break;
      }
      tail = seen;
    }
    if (Atomics.load(q, DOORBELL) === SLEEPING) this.ring();
    return true;
  }

  /**
   * Any thread. Raises the mailbox's one-bit signal and wakes the owner: a message that
   * needs no room (the owner learns what it means from elsewhere). It counts as pending
   * until the owner takes it, so the doorbell protocol can't miss it either.
   */
  signal(): void {
    Atomics.store(this.q, SIGNAL, 1);
    this.ring();
  }

  /** Owner only. Whether the signal was raised since the last call (and lowers it). */
  takeSignal(): boolean {
    return Atomics.load(this.q, SIGNAL) !== 0 && Atomics.exchange(this.q, SIGNAL, 0) !== 0;
  }

  /** Wakes the owner if it is waiting on the doorbell; only one producer pays the notify. */
  private ring(): void {
    const q = this.q;
    if (Atomics.compareExchange(q, DOORBELL, SLEEPING, AWAKE) === SLEEPING) Atomics.notify(q, DOORBELL, 1);
  }

  /**
   * Owner only. Moves the published ids, oldest first, into `out[offset..]`, at most
   * `out.length - offset`, and returns how many. Allocates nothing.
   */
  drainInto(out: Int32Array, offset = 0): number {
    const q = this.q;
    const mask = this.mask;
    const head = q[HEAD]!; // only the owner writes it
    const max = out.length - offset;
    let n = 0;
    while (n < max) {
      const slot = BUFFER + ((head + n) & mask);
      const id = Atomics.load(q, slot);
      if (id === 0) break;
      q[slot] = 0; // published to producers by the head store below
      out[offset + n] = id;
      n++;
    }
    if (n !== 0) Atomics.store(q, HEAD, (head + n) | 0);
    return n;
  }

  /**
   * Owner only. Calls `cb` with every published id, oldest first, and returns how many.
   * An id is consumed before `cb` sees it, so if `cb` throws, that id is gone and the
   * rest stay queued for the next drain.
   */
  drain(cb: (id: number) => void): number {
    const q = this.q;
    const mask = this.mask;
    let head = q[HEAD]!;
    let total = 0;
    let sincePublish = 0;
    try {
      for (;;) {
        const slot = BUFFER + (head & mask);
        const id = Atomics.load(q, slot);
        if (id === 0) break;
        q[slot] = 0;
        head = (head + 1) | 0;
        total++;
        // Free room for producers regularly during a long drain, not only at the end.
        if (++sincePublish === DRAIN_CHUNK) {
          Atomics.store(q, HEAD, head);
          sincePublish = 0;
        }
        cb(id);
      }
    } finally {
      if (sincePublish !== 0) Atomics.store(q, HEAD, head);
    }
    return total;
  }

  /**
   * Owner only. {@link hasPending} by plain reads, for a loop that looks every tick: it may
   * miss an id published a moment ago, which its next look (or `waitAsync`) finds.
   */
  mayHavePending(): boolean {
    const q = this.q;
    return q[BUFFER + (q[HEAD]! & this.mask)] !== 0 || q[SIGNAL] !== 0;
  }

  /** True when an id is ready for the owner to drain, or the signal is raised. */
  hasPending(): boolean {
    return Atomics.load(this.q, BUFFER + (this.q[HEAD]! & this.mask)) !== 0 || Atomics.load(this.q, SIGNAL) !== 0;
  }

  /** Ids reserved or published and not yet drained (snapshot). */
  len(): number {
    const n = (Atomics.load(this.q, TAIL) - Atomics.load(this.q, HEAD)) | 0;
    return Math.max(n, 0);
  }

  /**
   * Owner only. Resolves once an id is ready to drain, or after `timeoutMs`. The thread
   * keeps running its event loop meanwhile. Returns a settled promise (no allocation)
   * when ids are already pending. Call `drain()` afterwards either way.
   */
  waitAsync(timeoutMs?: number): Promise<void> {
    const q = this.q;
    Atomics.store(q, DOORBELL, SLEEPING);
    if (this.hasPending()) {
      Atomics.store(q, DOORBELL, AWAKE);
      return RESOLVED;
    }
    const res = waitAsync(q, DOORBELL, SLEEPING, timeoutMs);
    if (!res.async) {
      Atomics.store(q, DOORBELL, AWAKE);
      return RESOLVED;
    }
    return res.value.then(() => {
      Atomics.store(q, DOORBELL, AWAKE);
    });
  }

  /**
   * Owner only; blocks the thread in `Atomics.wait` (tests and dedicated threads). Returns
   * true if ids are pending, false on timeout.
   */
  waitSync(timeoutMs?: number): boolean {
    const q = this.q;
    Atomics.store(q, DOORBELL, SLEEPING);
    if (!this.hasPending()) Atomics.wait(q, DOORBELL, SLEEPING, timeoutMs);
    Atomics.store(q, DOORBELL, AWAKE);
    return this.hasPending();
  }
}
