/**
 * Mirrors the `tokio::select!` samples: a sleep against `some_async_task()` (000, "Select
 * Multiple Futures"), a fast against a slow source (002, "Concurrent Execution with Tokio"),
 * and `fetch_from_cache()` against `fetch_from_database()` (004, "Joining Multiple Futures
 * with tokio::join! and tokio::select!").
 *
 * Differs from Rust: `select!` is `select({ name: thunk, ... })`, and the winner is returned
 * as `{ key, value }`, where Rust binds a pattern per branch. Each thunk gets an AbortSignal;
 * when another branch wins, that signal aborts and the loser's pending runtime awaits reject
 * with Cancelled, the counterpart of Rust dropping the losing future (which "runs
 * destructors and frees resources"): `finally` blocks run, though after `select` has
 * returned (cancellation unwinds asynchronously), where Rust drops the loser first.
 * Branches start in a random order unless `{ biased: true }`, as in Tokio.
 */
import { main, select, sleep } from '@skein/core';

async function someAsyncTask(): Promise<string> {
  await sleep(40);
  return 'task result';
}

async function fetchFromCache(): Promise<string> {
  await sleep(5);
  return 'cached_value';
}

async function fetchFromDatabase(signal: AbortSignal): Promise<string> {
  signal.addEventListener('abort', () => console.log('database query dropped (signal aborted)'));
  try {
    await sleep(50);
    return 'db_value';
  } finally {
    console.log('database branch finished its cleanup');
  }
}

await main(async () => {
  const first = await select({
    sleep: () => sleep(10),
    task: () => someAsyncTask(),
  });
  console.log(first.key === 'sleep' ? 'Sleep finished first' : 'Task finished first');

  const fetched = await select({
    fast: async () => {
      await sleep(5);
      return 'Data from Fast';
    },
    slow: async () => {
      await sleep(50);
      return 'Data from Slow';
    },
  });
  console.log(`${fetched.key === 'fast' ? 'Fast' : 'Slow'} source won: ${fetched.value}`);

  const r = await select({ cache: fetchFromCache, database: fetchFromDatabase });
  if (r.key === 'cache') console.log(`Cache hit: ${r.value}`);
  else console.log(`DB result: ${r.value}`);
  await sleep(1); // let the cancelled branch's cleanup print before main returns
});
