/**
 * A tiny mutex in one Int32 word of a SharedArrayBuffer.
 *
 * Tokio guards its inject queue and its idle sleeper list with a `Mutex` whose critical
 * sections are a handful of instructions. JavaScript has no shared mutex, so this is
 * Drepper's three-state futex mutex ("Futexes Are Tricky", mutex #3): 0 = unlocked,
 * 1 = locked, 2 = locked with possible waiters. It spins briefly first, because the holder
 * almost always releases within nanoseconds; only if the holder got descheduled (likely
 * with more threads than cores) does it sleep in `Atomics.wait`, so a preempted holder
 * does not make every other thread burn its time slice. The main thread of Node may call
 * `Atomics.wait`, and it only blocks for as long as a preempted critical section.
 */

const UNLOCKED = 0;
const LOCKED = 1;
const CONTENDED = 2;

/** Spins before sleeping: long enough to cover a critical section, short enough to be cheap. */
const SPINS = 64;

/** Acquires the lock word `i32[index]`. Not re-entrant. */
export function lock(i32: Int32Array, index: number): void {
  let c = Atomics.compareExchange(i32, index, UNLOCKED, LOCKED);
  if (c === UNLOCKED) return;
  for (let spin = 0; spin < SPINS; spin++) {
    if (Atomics.load(i32, index) === UNLOCKED) {
      c = Atomics.compareExchange(i32, index, UNLOCKED, LOCKED);
      if (c === UNLOCKED) return;
    }
  }
  // Announce a waiter so the holder's unlock knows to notify.
  if (c !== CONTENDED) c = Atomics.exchange(i32, index, CONTENDED);
  while (c !== UNLOCKED) {
    Atomics.wait(i32, index, CONTENDED);
    c = Atomics.exchange(i32, index, CONTENDED);
  }
}

/** Releases the lock word `i32[index]`; wakes one sleeper if any may be waiting. */
export function unlock(i32: Int32Array, index: number): void {
  if (Atomics.sub(i32, index, 1) !== LOCKED) {
    Atomics.store(i32, index, UNLOCKED);
    Atomics.notify(i32, index, 1);
  }
}
