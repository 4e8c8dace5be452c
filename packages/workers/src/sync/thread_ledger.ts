/**
 * What one runtime worker thread owns of the shared primitives, kept by that thread in a
 * SharedArrayBuffer of its own so the main thread can read it once the thread has died.
 *
 * Per thread rather than per primitive: a primitive's buffer can't know how many threads
 * will touch it (a runtime may have 1024 workers, several runtimes may share a primitive),
 * while each thread knows exactly what it holds. The runtime allocates one ledger per
 * worker launch (`WorkerSet`; a replacement gets a fresh one) and the worker installs it at
 * boot ({@link installThreadLedger}); `releaseDeadThread` reads it after the exit.
 *
 * Only the owning thread writes its ledger, so entries need no lock: a thread's JS map
 * finds a primitive's entry, and the primitive's face caches the index (checked against the
 * entry's id on each use, since a full ledger compacts, moving entries). Entries are
 * appended, so only the pages in use are ever touched (a fresh SharedArrayBuffer is
 * zero pages the OS maps on first write): an idle worker's ledger costs one page.
 *
 * Threads without a ledger (the main thread, whose death ends the process; blocking-pool
 * threads; a user's own Worker) track nothing.
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

const USED = 0; // entries in use: the high-water mark of appends
const HEADER = 4;
const E_LO = 0;
const E_TAG = 1; // the id's high word + 1; 0: free
const ENTRY_WORDS = 4;
/**
 * Primitives one thread can own parts of at once (256 KiB of address space, resident only
 * as far as used). Past it, what the thread takes of further primitives is not tracked.
 */
const ENTRIES = 1 << 14;

/** A primitive's identity (`PermitCore.id`) as a map key. */
function key(lo: number, hi: number): number {
  return hi * 2 ** 32 + (lo >>> 0);
}

/** One thread's ledger. */
export class ThreadLedger {
  /** A ledger for a thread about to start (main thread). */
  static allocate(): SharedArrayBuffer {
    return new SharedArrayBuffer((HEADER + ENTRIES * ENTRY_WORDS) * 4);
  }

  /**
   * What the thread whose ledger is `sab` owned, by primitive id. Call it only once the
   * thread has exited.
   */
  static read(sab: SharedArrayBuffer): Map<number, Owned> {
    const w = new Int32Array(sab);
    const out = new Map<number, Owned>();
    const used = Atomics.load(w, USED);
    for (let e = HEADER; e < HEADER + used * ENTRY_WORDS; e += ENTRY_WORDS) {
      const tag = w[e + E_TAG]!;
      const owned = w[e + Ledger.owned]!;
      const receivers = w[e + Ledger.receivers]!;
      if (tag !== 0 && (owned !== 0 || receivers !== 0)) out.set(key(w[e + E_LO]!, tag - 1), { owned, receivers });
    }
    return out;
  }

  readonly #w: Int32Array;
  /** Primitive id → entry word index. */
  readonly #index = new Map<number, number>();
  /** (entry, which, n) of every add while {@link record} is in force, for undoing them. */
  readonly #journal: number[] = [];
  #recording = 0;

  constructor(sab: SharedArrayBuffer) {
    this.#w = new Int32Array(sab);
  }

  /** True if entry `e` (from {@link entry}) is still the one of primitive (`lo`, `hi`). */
  holds(e: number, lo: number, hi: number): boolean {
    return this.#w[e + E_LO] === lo && this.#w[e + E_TAG] === hi + 1;
  }

  /** The entry of primitive (`lo`, `hi`), made on first use; -1 when the ledger is full. */
  entry(lo: number, hi: number): number {
    const k = key(lo, hi);
    const known = this.#index.get(k);
    if (known !== undefined) return known;
    let used = this.#w[USED]!;
    if (used === ENTRIES) used = this.#compact();
    if (used === ENTRIES) return -1;
    const e = HEADER + used * ENTRY_WORDS;
    this.#w[e + E_LO] = lo;
    this.#w[e + E_TAG] = hi + 1;
    Atomics.store(this.#w, USED, used + 1);
    this.#index.set(k, e);
    return e;
  }

  /** Counts `n` (negative: gives back) in `which` count of entry `e`. */
  add(e: number, which: Ledger, n: number): void {
    this.#w[e + which]! += n;
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
      for (let i = j.length - 3; i >= mark; i -= 3) this.#w[j[i]! + j[i + 1]!]! -= j[i + 2]!;
      j.length = mark;
    }
    if (--this.#recording === 0) j.length = 0;
  }

  /** Drops the entries that own nothing, moving the others down; returns the entries left. */
  #compact(): number {
    const w = this.#w;
    // A recording names entries by index: don't move them under it.
    if (this.#recording > 0) return Atomics.load(w, USED);
    this.#index.clear();
    let to = HEADER;
    for (let e = HEADER; e < HEADER + ENTRIES * ENTRY_WORDS; e += ENTRY_WORDS) {
      if (w[e + Ledger.owned] === 0 && w[e + Ledger.receivers] === 0) continue;
      if (to !== e) w.copyWithin(to, e, e + ENTRY_WORDS);
      this.#index.set(key(w[to + E_LO]!, w[to + E_TAG]! - 1), to);
      to += ENTRY_WORDS;
    }
    w.fill(0, to);
    const used = (to - HEADER) / ENTRY_WORDS;
    Atomics.store(w, USED, used);
    return used;
  }
}

let mine: ThreadLedger | undefined;

/** This thread's ledger from now on (a runtime worker, at boot). */
export function installThreadLedger(sab: SharedArrayBuffer): void {
  mine = new ThreadLedger(sab);
}

/** This thread's ledger, if it keeps one. */
export function threadLedger(): ThreadLedger | undefined {
  return mine;
}
