/**
 * Idle and searching accounting shared by all workers: Tokio's
 * `scheduler/multi_thread/idle.rs` on a SharedArrayBuffer.
 *
 * Waking a parked worker costs a cross-thread notify and a trip through its event loop, so
 * the scheduler wakes as few as it can while still never leaving work stranded:
 *
 * - A worker that runs out of local work becomes *searching* (it tries to steal). At most
 *   half the workers search at once, because more thieves only contend on the same queues.
 * - New work wakes a parked worker only when nobody is searching: a searcher will find
 *   that work, and when the *last* searcher finds some it must wake one more worker
 *   (`transitionWorkerFromSearching()` returns true). This chain is what makes the
 *   scheme lossless without waking everyone.
 *
 * As in Tokio, one word packs both counters (searching in the low 16 bits, unparked
 * workers above), so `workerToNotify()` reads them together and can increment both at
 * once; the list of sleepers is a stack behind a small lock, which is only taken on the
 * park and wake paths, never on the run path.
 */

import { rangeError } from '@skein/core';
import { checkRegion } from './errors.js';
import { lock, unlock } from './spin_lock.js';

// Int32 word indices. The header is one 64-byte line.
const STATE = 0; // (numUnparked << 16) | numSearching
const LOCK = 1;
const NUM_WORKERS = 2; // written once by initialize()
const NUM_SLEEPERS = 3; // changes under the lock
const SLEEPERS = 16; // stack of parked worker indices, NUM_WORKERS slots

const UNPARK_SHIFT = 16;
const SEARCH_MASK = (1 << UNPARK_SHIFT) - 1;
const UNPARK_ONE = 1 << UNPARK_SHIFT;

/** Largest worker count: the unparked count must fit above bit 16 of an int32. */
export const IDLE_MAX_WORKERS = (1 << 15) - 1;

/** Shared idle/searching state of a multi-thread runtime's workers. */
export class Idle {
  /** Bytes needed for `numWorkers` workers. */
  static bytesFor(numWorkers: number): number {
    if (!Number.isInteger(numWorkers) || numWorkers < 1 || numWorkers > IDLE_MAX_WORKERS) {
      throw rangeError(`numWorkers must be an integer in [1, ${IDLE_MAX_WORKERS}], got ${numWorkers}`);
    }
    return (SLEEPERS + numWorkers) * 4;
  }

  /** Writes the initial state (every worker unparked, none searching) at `byteOffset`. */
  static initialize(sab: SharedArrayBuffer, byteOffset: number, numWorkers: number): Idle {
    const bytes = Idle.bytesFor(numWorkers);
    checkRegion(sab, byteOffset, bytes, 'Idle');
    const words = new Int32Array(sab, byteOffset, bytes / 4);
    words.fill(0);
    Atomics.store(words, NUM_WORKERS, numWorkers);
    Atomics.store(words, STATE, numWorkers << UNPARK_SHIFT);
    return new Idle(sab, byteOffset);
  }

  /** Allocates the state for `numWorkers` workers in its own SharedArrayBuffer. */
  static create(numWorkers: number): Idle {
    return Idle.initialize(new SharedArrayBuffer(Idle.bytesFor(numWorkers)), 0, numWorkers);
  }

  /** The SharedArrayBuffer holding the state. */
  readonly sab: SharedArrayBuffer;
  /** Byte offset of the state in `sab`. */
  readonly byteOffset: number;
  /** Workers in the runtime. */
  readonly numWorkers: number;
  private readonly w: Int32Array;

  /** Attaches to state that `initialize()` wrote at `byteOffset` of `sab`, from any thread. */
  constructor(sab: SharedArrayBuffer, byteOffset: number) {
    checkRegion(sab, byteOffset, SLEEPERS * 4, 'Idle');
    const numWorkers = Atomics.load(new Int32Array(sab, byteOffset, SLEEPERS), NUM_WORKERS);
    Idle.bytesFor(numWorkers);
    checkRegion(sab, byteOffset, (SLEEPERS + numWorkers) * 4, 'Idle');
    this.sab = sab;
    this.byteOffset = byteOffset;
    this.numWorkers = numWorkers;
    this.w = new Int32Array(sab, byteOffset, SLEEPERS + numWorkers);
  }

  /**
   * Called after new work was queued. If nobody is searching and some worker is parked,
   * removes one sleeper, counts it as unparked and searching, and returns its index: the
   * caller must `unpark()` that worker's parker. Returns -1 otherwise.
   */
  workerToNotify(): number {
    // Atomics are sequentially consistent, which gives Tokio's `fence(SeqCst)` here: this
    // read is ordered after the caller's push, and the last searcher's decrement is
    // ordered before its final queue check, so one of the two sees the other.
    if (!this.notifyShouldWakeup()) return -1;
    const w = this.w;
    lock(w, LOCK);
    try {
      if (!this.notifyShouldWakeup()) return -1;
      const n = w[NUM_SLEEPERS]!;
      if (n === 0) return -1; // unreachable while counts and stack agree; stay safe
      Atomics.add(w, STATE, UNPARK_ONE | 1);
      w[NUM_SLEEPERS] = n - 1;
      return w[SLEEPERS + n - 1]!;
    } finally {
      unlock(w, LOCK);
    }
  }

  /**
   * Records that `worker` is about to park (it must park afterwards). Returns true if it
   * was the last searching worker: it must then re-check every queue for work before
   * sleeping, because nobody else is looking.
   */
  transitionWorkerToParked(worker: number, isSearching: boolean): boolean {
    this.checkWorker(worker);
    const w = this.w;
    lock(w, LOCK);
    const prev = Atomics.sub(w, STATE, isSearching ? UNPARK_ONE + 1 : UNPARK_ONE);
    const n = w[NUM_SLEEPERS]!;
    w[SLEEPERS + n] = worker;
    w[NUM_SLEEPERS] = n + 1;
    unlock(w, LOCK);
    return isSearching && (prev & SEARCH_MASK) === 1;
  }

  /**
   * Tries to become a searcher. Returns false when half the workers already search; the
   * check and increment are not atomic together, so the cap can be overshot slightly,
   * which (as in Tokio) is harmless: the cap only limits contention.
   */
  transitionWorkerToSearching(): boolean {
    const searching = Atomics.load(this.w, STATE) & SEARCH_MASK;
    if (2 * searching >= this.numWorkers) return false;
    Atomics.add(this.w, STATE, 1);
    return true;
  }

  /**
   * A searcher found work and is about to run it. Returns true if it was the last
   * searcher: the caller must then wake another worker (`workerToNotify()` + unpark) so
   * remaining work keeps being looked for.
   */
  transitionWorkerFromSearching(): boolean {
    return (Atomics.sub(this.w, STATE, 1) & SEARCH_MASK) === 1;
  }

  /**
   * Removes `worker` from the sleepers if it is there, e.g. a parked worker whose own
   * timers or I/O gave it work. Returns true if it was parked; it is then unparked but
   * not searching.
   */
  unparkWorkerById(worker: number): boolean {
    this.checkWorker(worker);
    const w = this.w;
    lock(w, LOCK);
    try {
      const n = w[NUM_SLEEPERS]!;
      for (let i = 0; i < n; i++) {
        if (w[SLEEPERS + i] === worker) {
          w[SLEEPERS + i] = w[SLEEPERS + n - 1]!; // swap_remove
          w[NUM_SLEEPERS] = n - 1;
          Atomics.add(w, STATE, UNPARK_ONE);
          return true;
        }
      }
      return false;
    } finally {
      unlock(w, LOCK);
    }
  }

  /**
   * Shutdown: removes any one sleeper regardless of the searching state and returns its
   * index (the caller unparks it), or -1 when none is left. Loop until -1.
   */
  unparkWorkerByShutdown(): number {
    const w = this.w;
    lock(w, LOCK);
    const n = w[NUM_SLEEPERS]!;
    let worker = -1;
    if (n !== 0) {
      worker = w[SLEEPERS + n - 1]!;
      w[NUM_SLEEPERS] = n - 1;
      Atomics.add(w, STATE, UNPARK_ONE);
    }
    unlock(w, LOCK);
    return worker;
  }

  /** True if `worker` is in the sleeper set. */
  isParked(worker: number): boolean {
    this.checkWorker(worker);
    const w = this.w;
    lock(w, LOCK);
    const n = w[NUM_SLEEPERS]!;
    let found = false;
    for (let i = 0; i < n && !found; i++) found = w[SLEEPERS + i] === worker;
    unlock(w, LOCK);
    return found;
  }

  /** Workers searching now (snapshot). */
  numSearching(): number {
    return Atomics.load(this.w, STATE) & SEARCH_MASK;
  }

  /** Workers not parked now (snapshot). */
  numUnparked(): number {
    return Atomics.load(this.w, STATE) >>> UNPARK_SHIFT;
  }

  /** Workers in the sleeper set now (snapshot). */
  numParked(): number {
    return Atomics.load(this.w, NUM_SLEEPERS);
  }

  private notifyShouldWakeup(): boolean {
    const state = Atomics.load(this.w, STATE);
    return (state & SEARCH_MASK) === 0 && state >>> UNPARK_SHIFT < this.numWorkers;
  }

  private checkWorker(worker: number): void {
    if (!Number.isInteger(worker) || worker < 0 || worker >= this.numWorkers) {
      throw rangeError(`worker index must be in [0, ${this.numWorkers - 1}], got ${worker}`);
    }
  }
}
