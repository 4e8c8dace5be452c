/**
 * A shared primitive's identity, and this thread's count of what it owns of it.
 *
 * Every primitive gets a random identity when it is allocated, kept in two words of its
 * permit core's header: the same from every handle on every thread, so a thread can tell
 * two handles of one primitive from two primitives (`shared_wait.ts` keys its watchers by
 * it), and a thread's ledger (`thread_ledger.ts`) keys what the thread owns by it. The
 * permit core decides *when* something is owned (a permit taken, a channel end made); this
 * file only finds where to count it: each handle caches its entry in this thread's ledger,
 * checked against the identity on each use, since a full ledger compacts, moving entries.
 */
import { type Ledger, threadLedger } from './thread_ledger.js';

const ID_LO = 0;
const ID_HI = 1;
/** Words the identity takes. */
export const IDENTITY_WORDS = 2;

/** The identity at `at` (an int32 index) of `w`, and this thread's ledger entry for it. */
export class Ownership {
  /** Writes a fresh random identity at `at` of `w` (allocation, before any thread sees it). */
  static initialize(w: Int32Array, at: number): void {
    w[at + ID_LO] = (Math.random() * 2 ** 32) | 0;
    // 21 bits: with the low word, an integer a double holds exactly.
    w[at + ID_HI] = (Math.random() * 2 ** 21) | 0;
  }

  /** The identity at `at` of `w`, without attaching to it. */
  static idAt(w: Int32Array, at: number): number {
    return w[at + ID_HI]! * 2 ** 32 + (w[at + ID_LO]! >>> 0);
  }

  readonly #w: Int32Array;
  readonly #at: number;
  /** The entry in this thread's ledger, -1 until used. */
  #entry = -1;

  constructor(w: Int32Array, at: number) {
    this.#w = w;
    this.#at = at;
  }

  /** The primitive's identity, the same from every handle on every thread. */
  id(): number {
    return Ownership.idAt(this.#w, this.#at);
  }

  /** Counts `n` (negative: gives back) in `which` count of this thread's ledger; a no-op on a thread without one. */
  own(n: number, which: Ledger): void {
    const ledger = threadLedger();
    if (ledger === undefined) return;
    const lo = this.#w[this.#at + ID_LO]!;
    const hi = this.#w[this.#at + ID_HI]!;
    let e = this.#entry;
    if (e < 0 || !ledger.holds(e, lo, hi)) e = this.#entry = ledger.entry(lo, hi);
    ledger.add(e, which, n);
  }
}
