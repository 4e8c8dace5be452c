/**
 * Mirrors "Concurrent Execution with Tokio" in the async/await guide (002): one `main` that
 * joins three fetches, spawns two background tasks and awaits their handles, then races a
 * fast and a slow fetch with `select!`.
 *
 * Differs from Rust: `join` returns a Promise of a tuple; `spawn` takes a closure and its
 * handle throws JoinError instead of returning `Err` (so no `.unwrap()`); `select!` is
 * `select({...})` over named thunks, and the winner comes back as `{ key, value }`. The losing
 * branch is cancelled like Rust's dropped future: its signal aborts and its pending sleep
 * rejects with Cancelled. The delays are a fifth of the guide's.
 */
import { join, main, select, sleep, spawn } from '@skein/core';

async function fetchData(source: string, delay: number): Promise<string> {
  await sleep(delay);
  return `Data from ${source}`;
}

await main(async () => {
  // Run concurrently, wait for all.
  const [result1, result2, result3] = await join(
    () => fetchData('API-1', 20),
    () => fetchData('API-2', 40),
    () => fetchData('API-3', 30),
  );
  console.log(`joined: ${result1}; ${result2}; ${result3}`);

  // Spawn independent tasks.
  const handle1 = spawn(() => fetchData('Background-1', 60));
  const handle2 = spawn(() => fetchData('Background-2', 50));
  const bg1 = await handle1;
  const bg2 = await handle2;
  console.log(`spawned: ${bg1}; ${bg2}`);

  // Race multiple operations.
  const winner = await select({
    fast: () => fetchData('Fast', 10),
    slow: () => fetchData('Slow', 100),
  });
  if (winner.key === 'fast') console.log(`Fast source won: ${winner.value}`);
  else console.log(`Slow source won: ${winner.value}`);
});
