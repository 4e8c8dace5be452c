/**
 * The doorbells of a permit core: one 64-byte entry (a cache line, so threads don't share
 * one) for each thread that waits on the primitive, in the same buffer, after the node slab.
 *
 * - BELL: the thread's doorbell. Its async waiters on the primitive share one `waitAsync`
 *   on it; a release rings it once for all the waiters it granted there (`shared_wait.ts`).
 * - OWNER: threadId + 1 of the thread using the entry, 0 when free.
 *
 * Entries are claimed under the core's lock on first use and freed when their thread has
 * died (`PermitCore.releaseThread`). A thread past {@link ENTRIES} gets none: its waiters
 * then watch their own nodes, which costs one `waitAsync` per waiter instead of one per
 * thread, and nothing else. What a thread *owns* is not kept here but in its own ledger
 * (`thread_ledger.ts`), which has no such limit.
 */
import { threadId } from 'node:worker_threads';
import { lock, unlock } from '../shared/spin_lock.js';
import { RESOLVED, waitAsync } from '../shared/wait_async.js';

const E_BELL = 0;
const E_OWNER = 1;
const ENTRY_WORDS = 16;
/** Threads with a doorbell on one primitive. */
const ENTRIES = 32;

/** One core's thread table, at int32 index `at` of `w`, guarded by the core's lock word. */
export class ThreadTable {
  /** Int32 words the table occupies. */
  static readonly WORDS = ENTRIES * ENTRY_WORDS;

  readonly #w: Int32Array;
  readonly #at: number;
  readonly #lock: number;
  /** This thread's entry, once claimed: -2 not yet, -1 the table was full. */
  #mine = -2;

  constructor(w: Int32Array, at: number, lockIndex: number) {
    this.#w = w;
    this.#at = at;
    this.#lock = lockIndex;
  }

  #entry(slot: number): number {
    return this.#at + slot * ENTRY_WORDS;
  }

  /**
   * This thread's entry, claimed on first use (takes the core's lock: never call it with
   * the lock held). -1 when the table is full.
   */
  claim(): number {
    if (this.#mine !== -2) return this.#mine;
    const w = this.#w;
    const me = threadId + 1;
    lock(w, this.#lock);
    let found = -1;
    let free = -1;
    for (let i = 0; i < ENTRIES && found === -1; i++) {
      const owner = w[this.#entry(i) + E_OWNER]!;
      if (owner === me) found = i;
      else if (owner === 0 && free === -1) free = i;
    }
    if (found === -1 && free !== -1) {
      w[this.#entry(free) + E_OWNER] = me;
      found = free;
    }
    unlock(w, this.#lock);
    this.#mine = found;
    return found;
  }

  /** Thread side: clear doorbell `slot` before looking at the waiters it covers. */
  reset(slot: number): void {
    Atomics.store(this.#w, this.#entry(slot) + E_BELL, 0);
  }

  /** Resolves once doorbell `slot` rings (at once if it rang since {@link reset}). */
  wait(slot: number): Promise<unknown> {
    const r = waitAsync(this.#w, this.#entry(slot) + E_BELL, 0);
    return r.async ? r.value : RESOLVED;
  }

  /** Rings doorbell `slot`: one notify however many of its thread's waiters were granted. */
  ring(slot: number): void {
    const bell = this.#entry(slot) + E_BELL;
    if (Atomics.exchange(this.#w, bell, 1) === 0) Atomics.notify(this.#w, bell);
  }

  /** Under the core's lock: frees the entry of dead thread `tid`. */
  release(tid: number): void {
    const w = this.#w;
    for (let slot = 0; slot < ENTRIES; slot++) {
      const e = this.#entry(slot);
      if (w[e + E_OWNER] !== tid + 1) continue;
      w[e + E_BELL] = 0;
      w[e + E_OWNER] = 0;
    }
  }
}
