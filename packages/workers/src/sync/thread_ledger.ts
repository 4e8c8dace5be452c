/**
 * What one thread of a runtime (a worker, or a blocking-pool thread) owns of the shared
 * primitives, kept by that thread in SharedArrayBuffers of its own so the main thread can
 * read them once the thread has died.
 *
 * Per thread rather than per primitive: a primitive's buffer can't know how many threads
 * will touch it (a runtime may have 1024 workers, several runtimes may share a primitive),
 * while each thread knows exactly what it holds. The runtime allocates a worker's first
 * segment per launch (`WorkerSet`; a replacement gets a fresh one); a blocking-pool thread
 * allocates its own (`blocking/pool_thread_ledgers.ts`). The thread installs it at boot
 * ({@link installThreadLedger}); `releaseDeadThread` reads it after the exit.
 *
 * Only the owning thread writes its ledger, so entries need no lock: a thread's JS map
 * finds a primitive's entry, and the primitive's face caches the index (checked against the
 * entry's id on each use, since compaction moves entries). Entries are appended, so only
 * the pages in use are ever touched (a fresh SharedArrayBuffer is zero pages the OS maps on
 * first write): an idle thread's ledger costs one page.
 *
 * No limit on what a thread holds: a segment has room for {@link SEGMENT_ENTRIES}
 * primitives; when the last one is full, the entries that own nothing are dropped, and if
 * that leaves less than a quarter free (or a decode is being recorded, whose entries must
 * not move) the thread allocates another segment and posts it to the main thread
 * ({@link LedgerSegmentMessage}), which Node delivers before the thread's `exit` event. So a
 * thread that holds 20 000 locks at once when it dies gives back all of them.
 *
 * Threads without a ledger (the main thread, whose death ends the process; a user's own
 * Worker) track nothing.
 */

/** Which count of an entry {@link ThreadLedger.add} changes. */
export const Ledger = {
  /** Held permits, or a channel's senders. */
  owned: 2,
  /** A channel's receivers. */
  receivers: 3,
} as const;
export type Ledger = (typeof Ledger)[keyof typeof Ledger];

/** What a thread owned of one primitive. */
export interface Owned {
  readonly owned: number;
  readonly receivers: number;
}

/** Owned nothing. */
export const NOTHING: Owned = { owned: 0, receivers: 0 };

/**
 * Thread → main thread, on its `parentPort`: one more segment of its ledger (a pool
 * thread's first one too), to read with the others once the thread has exited.
 */
export interface LedgerSegmentMessage {
  readonly t: 'skein:ledger';
  readonly threadId: number;
  readonly ledger: SharedArrayBuffer;
}

/** Whether `m` (anything a thread may post on its `parentPort`) is a {@link LedgerSegmentMessage}. */
export function isLedgerSegment(m: unknown): m is LedgerSegmentMessage {
  return (
    typeof m === 'object' &&
    m !== null &&
    (m as { t?: unknown }).t === 'skein:ledger' &&
    (m as { ledger?: unknown }).ledger instanceof SharedArrayBuffer
  );
}

const USED = 0; // entries in use in the segment: the high-water mark of appends
const HEADER = 4;
const E_LO = 0;
const E_TAG = 1; // the id's high word + 1; 0: free
const ENTRY_WORDS = 4;
/** Words per segment: 2^16, so an entry's index is (segment << 16) | word. */
const SEGMENT_SHIFT = 16;
const SEGMENT_MASK = (1 << SEGMENT_SHIFT) - 1;
/** Primitives one segment has room for (256 KiB of address space, resident only as far as used). */
export const SEGMENT_ENTRIES = ((1 << SEGMENT_SHIFT) - HEADER) / ENTRY_WORDS;

/** A primitive's identity (`PermitCore.id`) as a map key. */
function key(lo: number, hi: number): number {
  return hi * 2 ** 32 + (lo >>> 0);
}

/** One thread's ledger. */
export class ThreadLedger {
  /** A segment for a thread's ledger (its first, for a thread about to start). */
  static allocate(): SharedArrayBuffer {
    return new SharedArrayBuffer((1 << SEGMENT_SHIFT) * 4);
  }

  /**
   * What the thread whose ledger segments are `segments` owned, by primitive id. Call it
   * only once the thread has exited.
   */
  static read(segments: Iterable<SharedArrayBuffer>): Map<number, Owned> {
    const out = new Map<number, Owned>();
    for (const sab of segments) {
      const w = new Int32Array(sab);
      const used = Atomics.load(w, USED);
      for (let e = HEADER; e < HEADER + used * ENTRY_WORDS; e += ENTRY_WORDS) {
        const tag = w[e + E_TAG]!;
        const owned = w[e + Ledger.owned]!;
        const receivers = w[e + Ledger.receivers]!;
        if (tag !== 0 && (owned !== 0 || receivers !== 0)) out.set(key(w[e + E_LO]!, tag - 1), { owned, receivers });
      }
    }
    return out;
  }

  readonly #segments: Int32Array[];
  /** `#segments[0]`, where almost every entry is: a lock's fast path skips the lookup. */
  readonly #first: Int32Array;
  /** Hands a new segment to the main thread. */
  readonly #post: (segment: SharedArrayBuffer) => void;
  /** The segment entries are appended to. */
  #last = 0;
  /** Primitive id → entry index. */
  readonly #index = new Map<number, number>();
  /** (entry, which, n) of every add while {@link record} is in force, for undoing them. */
  readonly #journal: number[] = [];
  #recording = 0;

  /** A ledger whose first segment is `first`; `post` sends the main thread any further one. */
  constructor(first: SharedArrayBuffer, post: (segment: SharedArrayBuffer) => void) {
    this.#first = new Int32Array(first);
    this.#segments = [this.#first];
    this.#post = post;
  }

  /** True if entry `e` (from {@link entry}) is still the one of primitive (`lo`, `hi`). */
  holds(e: number, lo: number, hi: number): boolean {
    const w = e <= SEGMENT_MASK ? this.#first : this.#segments[e >>> SEGMENT_SHIFT]!;
    const at = e & SEGMENT_MASK;
    return w[at + E_LO] === lo && w[at + E_TAG] === hi + 1;
  }

  /** The entry of primitive (`lo`, `hi`), made on first use. */
  entry(lo: number, hi: number): number {
    const k = key(lo, hi);
    const known = this.#index.get(k);
    if (known !== undefined) return known;
    let w = this.#segments[this.#last]!;
    if (w[USED] === SEGMENT_ENTRIES) w = this.#makeRoom();
    const used = w[USED]!;
    const at = HEADER + used * ENTRY_WORDS;
    w[at + E_LO] = lo;
    w[at + E_TAG] = hi + 1;
    Atomics.store(w, USED, used + 1);
    const e = (this.#last << SEGMENT_SHIFT) | at;
    this.#index.set(k, e);
    return e;
  }

  /** Counts `n` (negative: gives back) in `which` count of entry `e`. */
  add(e: number, which: Ledger, n: number): void {
    if (e <= SEGMENT_MASK) this.#first[e + which]! += n;
    else this.#segments[e >>> SEGMENT_SHIFT]![(e & SEGMENT_MASK) + which]! += n;
    if (this.#recording > 0) this.#journal.push(e, which, n);
  }

  /**
   * Starts recording the adds (recordings nest), so that a decode that fails halfway
   * (an argument still on its way, decoded again later) can give back what the handles it
   * rebuilt counted. Returns the mark to pass to {@link settle}.
   */
  record(): number {
    this.#recording++;
    return this.#journal.length;
  }

  /** Ends the recording begun at `mark`; with `undo`, gives back every add since. */
  settle(mark: number, undo: boolean): void {
    const j = this.#journal;
    if (undo) {
      for (let i = j.length - 3; i >= mark; i -= 3) {
        const e = j[i]!;
        this.#segments[e >>> SEGMENT_SHIFT]![(e & SEGMENT_MASK) + j[i + 1]!]! -= j[i + 2]!;
      }
      j.length = mark;
    }
    // Setting an array's length is a runtime call even when it is already 0.
    if (--this.#recording === 0 && j.length !== 0) j.length = 0;
  }

  /** The last segment is full: the segment the next entry goes to. */
  #makeRoom(): Int32Array {
    // A recording names entries by index: don't move them under it.
    if (this.#recording === 0 && this.#compact() >= SEGMENT_ENTRIES / 4) {
      const w = this.#segments[this.#last]!;
      if (w[USED]! < SEGMENT_ENTRIES) return w;
    }
    // Segments past the last one in use are empty (compaction cleared them).
    if (this.#last + 1 === this.#segments.length) {
      const sab = ThreadLedger.allocate();
      this.#segments.push(new Int32Array(sab));
      this.#post(sab);
    }
    return this.#segments[++this.#last]!;
  }

  /**
   * Drops the entries that own nothing, moving the others to the front of the first
   * segments; returns the entries free after them in the segments this thread has.
   */
  #compact(): number {
    const segs = this.#segments;
    this.#index.clear();
    let to = 0; // segment and word the next kept entry goes to
    let toAt = HEADER;
    for (let s = 0; s < segs.length; s++) {
      const w = segs[s]!;
      const used = w[USED]!;
      for (let at = HEADER; at < HEADER + used * ENTRY_WORDS; at += ENTRY_WORDS) {
        if (w[at + Ledger.owned] === 0 && w[at + Ledger.receivers] === 0) continue;
        if (toAt === HEADER + SEGMENT_ENTRIES * ENTRY_WORDS) {
          Atomics.store(segs[to]!, USED, SEGMENT_ENTRIES);
          to++;
          toAt = HEADER;
        }
        const dst = segs[to]!;
        if (dst !== w || toAt !== at) dst.set(w.subarray(at, at + ENTRY_WORDS), toAt);
        this.#index.set(key(dst[toAt + E_LO]!, dst[toAt + E_TAG]! - 1), (to << SEGMENT_SHIFT) | toAt);
        toAt += ENTRY_WORDS;
      }
    }
    // Past the kept entries everything is free: clear it, so a dead thread's reader sees none.
    segs[to]!.fill(0, toAt);
    Atomics.store(segs[to]!, USED, (toAt - HEADER) / ENTRY_WORDS);
    for (let s = to + 1; s < segs.length; s++) {
      segs[s]!.fill(0);
    }
    this.#last = to;
    return (segs.length - to) * SEGMENT_ENTRIES - (toAt - HEADER) / ENTRY_WORDS;
  }
}

let mine: ThreadLedger | undefined;

/**
 * This thread's ledger from now on (a runtime worker or a pool thread, at boot), whose
 * first segment is `first`; `post` sends the main thread each further segment.
 */
export function installThreadLedger(first: SharedArrayBuffer, post: (segment: SharedArrayBuffer) => void): void {
  mine = new ThreadLedger(first, post);
}

/** This thread's ledger, if it keeps one. */
export function threadLedger(): ThreadLedger | undefined {
  return mine;
}
