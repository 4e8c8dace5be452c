/**
 * Mirrors every `#[tokio::main]` entry point in the guides: `fetch_data().await` then
 * "Done!" (000, "Using tokio with the #[tokio::main] Macro"), `fetch_user_data(42)` after a
 * 100 ms sleep (002, "Futures and the Runtime"), `sleep(2 s)` between "Starting task..." and
 * "Task finished" (003, "The Need for a Runtime"), and `fetch_data()` → "Got: data loaded"
 * (004, "Setting Up Tokio as the Async Runtime").
 *
 * Differs from Rust: `main(async () => { ... })` is the attribute. It builds a runtime
 * (current-thread unless SKEIN_FLAVOR=multi_thread, where Tokio defaults to multi-thread),
 * runs the function as the root task, shuts the runtime down, and on an error logs it and
 * sets process.exitCode = 1 instead of panicking. Durations are milliseconds, so
 * `Duration::from_secs(2)` would be `sleep(2000)`; the sleeps here are shortened.
 */
import { Instant, main, sleep } from '@skein/core';

async function fetchData(): Promise<string> {
  console.log('Fetching data...');
  await sleep(20); // simulate async I/O
  return 'data loaded';
}

async function fetchUserData(userId: number): Promise<string> {
  await sleep(10); // simulate an API call
  return `User data for ID: ${userId}`;
}

await main(async () => {
  const start = Instant.now();
  console.log('Starting task...');
  const result = await fetchData();
  console.log(`Got: ${result}`);
  console.log(`Result: ${await fetchUserData(42)}`);
  // Instead of a blocking sleep, `sleep` yields to the runtime until the timer fires.
  await sleep(20);
  console.log(`Task finished after ${Math.round(Instant.now() - start)} ms!`);
  console.log('Done!');
});
