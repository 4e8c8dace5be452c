/**
 * Mirrors "Basic Async Await Implementation" in the implementation guide (001): match on
 * `fetch_data(42).await`, then spawn one task per id with `(1..=5).map(|id| task::spawn(...))`,
 * collect the handles and await them in order, keeping the `Ok` results.
 *
 * Differs from Rust: `Result<String, E>` becomes a function that returns a string or
 * throws, so `match` is try/catch; `if let Ok(result) = handle.await` is a try/catch around
 * `await handle`, which throws JoinError if the task threw or was aborted. Handles are
 * awaited in spawn order, as in the guide, though the tasks finish in any order.
 */
import { main, sleep, spawn } from '@skein/core';

async function fetchData(id: number): Promise<string> {
  await sleep(5 + ((id * 7) % 5)); // simulate network I/O of varying length
  return `Data for id: ${id}`;
}

await main(async () => {
  try {
    console.log(`Success: ${await fetchData(42)}`);
  } catch (e) {
    console.log(`Error: ${String(e)}`);
  }

  // Spawn multiple concurrent tasks.
  const handles = [1, 2, 3, 4, 5].map((id) => spawn(() => fetchData(id)));

  // Wait for all of them, in the order they were spawned.
  for (const handle of handles) {
    try {
      console.log(`Task result: ${JSON.stringify(await handle)}`);
    } catch {
      // The guide ignores failed tasks (`if let Ok`); task_panic.ts shows what they carry.
    }
  }
});
