/**
 * Mirrors the shared-state advice the guides give without a full sample: "Replace
 * std::sync primitives with tokio::sync equivalents... tokio::sync::Mutex", "holding locks
 * across .await points creates contention; design functions to minimize lock duration"
 * (001, "Concurrency Patterns" and "Master Async-Aware Synchronization Primitives"), the
 * `Arc<Mutex<_>>` fix in FAQ Q4, and the pitfall "Holding locks across .await points"
 * (000).
 *
 * Differs from Rust: there is no Arc, since tasks on one thread share objects directly; the
 * Mutex still matters because a task may hold the guard across an await while others
 * run. The guard is released by `using` at the end of its block (Rust's Drop) or by
 * `release()`. skein's Mutex is FIFO and cancel-safe, like Tokio's; `tryLock()` throws
 * TryLockError where Tokio returns `Err`.
 */
import { Instant, Mutex, TryLockError, join, main, sleep, spawn } from '@skein/core';

await main(async () => {
  const counts = new Mutex(new Map<string, number>());

  async function record(word: string): Promise<void> {
    {
      // Hold the lock only for the update...
      using guard = await counts.lock();
      guard.value.set(word, (guard.value.get(word) ?? 0) + 1);
    }
    // ...and not across this await, so other tasks are not held up by it.
    await sleep(1);
  }

  const words = ['tokio', 'skein', 'tokio', 'node', 'skein', 'tokio'];
  await join(...words.map((w) => () => record(w)));
  {
    using guard = await counts.lock();
    console.log(`counts: ${JSON.stringify([...guard.value].sort())}`);
  }

  // The pitfall: a guard held across an await stalls every other task that needs the lock.
  const slow = spawn(async () => {
    using guard = await counts.lock();
    await sleep(30); // "I/O" while holding the lock
    guard.value.set('slow', 1);
  });
  await sleep(1);
  try {
    counts.tryLock().release();
  } catch (e) {
    if (!(e instanceof TryLockError)) throw e;
    console.log('tryLock: the lock is held (TryLockError)');
  }
  const start = Instant.now();
  {
    using _guard = await counts.lock();
    console.log(`lock() waited ${Math.round(Instant.now() - start)} ms for a guard held across an await`);
  }
  await slow;
});
