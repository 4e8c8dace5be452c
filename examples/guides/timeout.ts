/**
 * Mirrors the `tokio::time::timeout` samples: `match timeout(2 s, slow_operation())` printing
 * "Completed" or "Timed out" (000, "Timeout"), and `fetch_with_timeout`, which propagates the
 * elapsed error with `?` (002, "Practical Patterns and Pitfalls").
 *
 * Differs from Rust: `timeout` returns the value or throws `Elapsed` instead of returning
 * `Result<T, Elapsed>`, so `match` is try/catch and `?` is simply not catching. Given a
 * thunk, `timeout` cancels it on expiry, the counterpart of Rust dropping the future: the
 * thunk's pending sleep rejects with Cancelled, so its `finally` runs. One ordering
 * difference shows in the output: Rust drops the future before `match` sees `Err`, while
 * here "Timed out" prints first and the cleanup follows a moment later, since a cancelled
 * promise chain unwinds asynchronously. Delays are scaled from seconds to milliseconds.
 */
import { Elapsed, main, sleep, timeout } from '@skein/core';

async function slowOperation(): Promise<void> {
  try {
    await sleep(500);
  } finally {
    // Runs when timeout() cancels the operation: the place to release what it holds.
    console.log('slow_operation cleaned up');
  }
}

async function fetchData(source: string, delay: number): Promise<string> {
  await sleep(delay);
  return `Data from ${source}`;
}

// `?` on the timeout: an Elapsed propagates to the caller.
async function fetchWithTimeout(limitMs: number): Promise<string> {
  return await timeout(limitMs, () => fetchData('API', 10));
}

await main(async () => {
  try {
    await timeout(20, slowOperation);
    console.log('Completed');
  } catch (e) {
    if (!(e instanceof Elapsed)) throw e;
    console.log('Timed out');
  }

  console.log(`fetch_with_timeout(1000): ${await fetchWithTimeout(1000)}`);
  try {
    await fetchWithTimeout(2);
  } catch (e) {
    console.log(`fetch_with_timeout(2): ${e instanceof Elapsed ? `${e.name} (${e.code})` : String(e)}`);
  }
});
