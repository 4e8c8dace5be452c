/**
 * The channel ring: a multi-producer single-consumer ring of variable-size records in a
 * SharedArrayBuffer, the byte-sized sibling of `shared/mailbox.ts` (same reserve/publish
 * protocol and the same Dekker-style doorbell, because JS Atomics are sequentially
 * consistent).
 *
 * - A producer reserves `4 + size` bytes (rounded up to 4) by CAS on TAIL (a free-running
 *   byte count), copies the body, then publishes by storing the record's length word
 *   (non-zero). A record never wraps: when it would, the producer reserves the rest of the
 *   ring too and writes a SKIP word there, and the record starts at offset 0.
 * - The consumer reads records in order while their length word is non-zero, zeroes every
 *   byte it consumed (a later length word may land where body bytes were), then publishes
 *   HEAD so producers may reuse the space. Records are decoded in place, then consumed.
 * - Doorbells: the consumer stores SLEEPING, re-checks, then waits on RX; a producer that
 *   published flips SLEEPING to AWAKE and notifies. A producer short of space sets the
 *   WAITER bit of HEAD (a CAS from the HEAD it found too small, so a HEAD that moved meanwhile
 *   makes it retry instead) and waits while HEAD holds that; the consumer publishes HEAD by
 *   an exchange, which clears the bit and tells it whether to notify: one atomic per
 *   message, where a separate waiter count cost two. HEAD counts bytes in whole words, so
 *   its low bits are free.
 */
import { RESOLVED, waitAsync } from '../shared/wait_async.js';

// Words of the ring's header (int32 indices from the ring's base word).
const TAIL = 0;
const HEAD = 16;
const RX = 32;
/** HEAD's bit meaning "a producer waits for space: notify HEAD when you move it". */
const WAITER = 1;
/** Header words; the data starts after them. */
const HEADER_WORDS = 64;

const AWAKE = 0;
const SLEEPING = 1;
const SKIP = -1;

/** An MPSC ring of byte records. Any thread writes; one thread reads. */
export class ByteRing {
  /** Bytes a ring with `dataBytes` of data (a power of two) occupies. */
  static bytesFor(dataBytes: number): number {
    return HEADER_WORDS * 4 + dataBytes;
  }

  readonly #w: Int32Array;
  readonly #bytes: Buffer;
  /** The ring's data bytes and a view of them, for decoding records in place. */
  readonly bytes: Buffer;
  readonly view: DataView;
  /** Where the record {@link peek} found starts in {@link bytes}. */
  readOffset = 0;
  readonly #size: number;
  readonly #mask: number;
  /**
   * Producer: the HEAD this thread last read atomically. Everything before it is free
   * (the consumer zeroed it before publishing it), so sizing writes against it is safe,
   * only pessimistic; HEAD is read again only when it seems to leave no room.
   */
  #head: number;

  /** Attaches to a zeroed (or live) ring at byte `offset` (8-aligned) of `sab`. */
  constructor(sab: SharedArrayBuffer, offset: number, dataBytes: number) {
    this.#w = new Int32Array(sab, offset, HEADER_WORDS + dataBytes / 4);
    this.#bytes = Buffer.from(sab, offset + HEADER_WORDS * 4, dataBytes);
    this.bytes = this.#bytes;
    this.view = new DataView(sab, offset + HEADER_WORDS * 4, dataBytes);
    this.#size = dataBytes;
    this.#mask = dataBytes - 1;
    this.#head = Atomics.load(this.#w, HEAD) & ~WAITER;
  }

  /** The largest body a record may have. */
  get maxRecord(): number {
    return this.#size / 2 - 4;
  }

  /**
   * Any thread. Writes a record: the byte `format`, then `body[0..n)`; rings the consumer's
   * doorbell if it sleeps. Returns false (writing nothing) when the ring lacks room; wait
   * with {@link spaceChanged} and retry.
   */
  tryWrite(format: number, body: Buffer, n: number): boolean {
    const w = this.#w;
    const size = n + 1;
    const need = 4 + ((size + 3) & ~3);
    // A plain read: only a guess for the CAS, which returns the real TAIL when it is wrong.
    let tail = w[TAIL]!;
    for (;;) {
      const pos = tail & this.#mask;
      const toEnd = this.#size - pos;
      const take = toEnd >= need ? need : toEnd + need;
      if (((tail - this.#head) | 0) + take > this.#size) {
        const head = Atomics.load(w, HEAD) & ~WAITER;
        if (head === this.#head) return false;
        this.#head = head;
        tail = Atomics.load(w, TAIL);
        continue;
      }
      const seen = Atomics.compareExchange(w, TAIL, tail, (tail + take) | 0);
      if (seen !== tail) {
        tail = seen;
        continue;
      }
      let at = pos;
      if (take !== need) {
        Atomics.store(w, HEADER_WORDS + (pos >> 2), SKIP);
        at = 0;
      }
      const bytes = this.#bytes;
      bytes[at + 4] = format;
      // Small bodies (most messages): a loop beats the native copy's call overhead.
      if (n <= 32) for (let i = 0; i < n; i++) bytes[at + 5 + i] = body[i]!;
      else body.copy(bytes, at + 5, 0, n);
      Atomics.store(w, HEADER_WORDS + (at >> 2), size + 1);
      if (Atomics.load(w, RX) === SLEEPING) this.ring();
      return true;
    }
  }

  /** Wakes the consumer if it waits on its doorbell. */
  ring(): void {
    // Every waiter: several tasks of the consumer thread may be in `recv` at once.
    if (Atomics.compareExchange(this.#w, RX, SLEEPING, AWAKE) === SLEEPING) Atomics.notify(this.#w, RX);
  }

  /**
   * Consumer only. The size of the oldest published record, whose bytes start at
   * {@link readOffset} of {@link bytes}, or -1 when none is published. Call
   * {@link consume} once done with them.
   */
  peek(): number {
    const w = this.#w;
    const head = this.#consumerHead();
    const pos = head & this.#mask;
    const len = Atomics.load(w, HEADER_WORDS + (pos >> 2));
    if (len === 0) return -1;
    if (len !== SKIP) {
      this.readOffset = pos + 4;
      return len - 1;
    }
    // The rest of the ring was skipped by a record that starts at 0.
    this.#zero(pos, this.#size - pos);
    this.#publishHead((head + this.#size - pos) | 0);
    return this.peek();
  }

  /** Consumer only: the record {@link peek} returned is read; free its bytes. */
  consume(size: number): void {
    const head = this.#consumerHead();
    const pos = head & this.#mask;
    const need = 4 + ((size + 3) & ~3);
    this.#zero(pos, need);
    this.#publishHead((head + need) | 0);
  }

  /** Zeroes `n` bytes (a multiple of 4) at `pos`: a later length word may land anywhere in them. */
  #zero(pos: number, n: number): void {
    if (n > 64) {
      this.#bytes.fill(0, pos, pos + n);
      return;
    }
    const w = this.#w;
    const base = HEADER_WORDS + (pos >> 2);
    for (let i = 0; i < n >> 2; i++) w[base + i] = 0;
  }

  #publishHead(head: number): void {
    const w = this.#w;
    if ((Atomics.exchange(w, HEAD, head) & WAITER) !== 0) Atomics.notify(w, HEAD);
  }

  /**
   * Consumer: HEAD, which only it moves, by a plain read: producers only set its WAITER
   * bit, so whichever write the read sees, the position is the consumer's own last one.
   */
  #consumerHead(): number {
    return this.#w[HEAD]! & ~WAITER;
  }

  /** True when a record is published (consumer's view). */
  hasPending(): boolean {
    const w = this.#w;
    const pos = this.#consumerHead() & this.#mask;
    return Atomics.load(w, HEADER_WORDS + (pos >> 2)) !== 0;
  }

  /** Bytes reserved and not yet consumed (a snapshot). */
  usedBytes(): number {
    return (Atomics.load(this.#w, TAIL) - (Atomics.load(this.#w, HEAD) & ~WAITER)) | 0;
  }

  /**
   * Consumer only. Resolves when a producer rang after `sleep()`; call {@link sleep} first,
   * re-check, then this. Returns a settled promise if the doorbell already rang.
   */
  doorbell(): Promise<unknown> {
    const r = waitAsync(this.#w, RX, SLEEPING);
    return r.async ? r.value : RESOLVED;
  }

  /** Consumer only, blocking form of {@link doorbell}. */
  doorbellSync(): void {
    Atomics.wait(this.#w, RX, SLEEPING);
  }

  /** Consumer only: announce that it is about to wait (then re-check, then wait). */
  sleep(): void {
    Atomics.store(this.#w, RX, SLEEPING);
  }

  /** Consumer only: it found work after `sleep()`. */
  wake(): void {
    Atomics.store(this.#w, RX, AWAKE);
  }

  /**
   * Producer, after {@link tryWrite} found no room: flags HEAD so that the consumer's next
   * move of it notifies. Returns the value to wait on with {@link spaceChanged}, or
   * undefined when HEAD has moved since that write looked (write again instead).
   */
  announceSpaceWait(): number | undefined {
    const w = this.#w;
    const h = Atomics.load(w, HEAD);
    if ((h & ~WAITER) !== this.#head) return undefined;
    if ((h & WAITER) !== 0) return h;
    return Atomics.compareExchange(w, HEAD, h, h | WAITER) === h ? h | WAITER : undefined;
  }

  /** Resolves once HEAD no longer holds `head` (from {@link announceSpaceWait}). */
  spaceChanged(head: number): Promise<unknown> {
    const r = waitAsync(this.#w, HEAD, head);
    return r.async ? r.value : RESOLVED;
  }

  /**
   * Wakes producers waiting for space without freeing any (the receiver closed; they look
   * at that flag next). Clearing the WAITER bit changes the word they wait on, so one that
   * flagged it but isn't asleep yet doesn't fall asleep after this notify.
   */
  wakeSpaceWaiters(): void {
    const w = this.#w;
    for (;;) {
      const h = Atomics.load(w, HEAD);
      if ((h & WAITER) === 0 || Atomics.compareExchange(w, HEAD, h, h & ~WAITER) === h) break;
    }
    Atomics.notify(w, HEAD);
  }

  /** Blocking form of {@link spaceChanged}. */
  spaceChangedSync(head: number): void {
    Atomics.wait(this.#w, HEAD, head);
  }
}
