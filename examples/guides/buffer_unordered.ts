/**
 * Mirrors "Efficient iteration with async operations" in the async/await guide (002):
 * `sequential_processing` awaiting `fetch_user(id)` one at a time, against
 * `stream::iter(ids).map(...).buffer_unordered(10).collect()`.
 *
 * Differs from Rust: skein has no Stream combinators, so `buffer_unordered(10)` is written
 * out with a JoinSet that is topped up to 10 tasks and drained in completion order (hence
 * "unordered"). That is also how Tokio code bounds concurrency without the futures crate.
 */
import { Instant, JoinSet, main, sleep } from '@skein/core';

let inFlight = 0;
let maxInFlight = 0;

async function fetchUser(id: number): Promise<string> {
  inFlight++;
  maxInFlight = Math.max(maxInFlight, inFlight);
  try {
    await sleep(5); // simulate a request
    return `user-${id}`;
  } finally {
    inFlight--;
  }
}

// INEFFICIENT: sequential awaits.
async function sequentialProcessing(ids: number[]): Promise<string[]> {
  const users: string[] = [];
  for (const id of ids) users.push(await fetchUser(id)); // one at a time
  return users;
}

// EFFICIENT: at most `limit` concurrent, results in completion order.
async function concurrentProcessing(ids: number[], limit: number): Promise<string[]> {
  await using set = new JoinSet<string>();
  const users: string[] = [];
  for (const id of ids) {
    if (set.size >= limit) users.push((await set.joinNext())!);
    set.spawn(() => fetchUser(id));
  }
  for await (const user of set) users.push(user);
  return users;
}

await main(async () => {
  const ids = Array.from({ length: 30 }, (_, i) => i + 1);

  let start = Instant.now();
  const seq = await sequentialProcessing(ids);
  console.log(
    `sequential: ${seq.length} users in ${Math.round(Instant.now() - start)} ms, max in flight ${maxInFlight}`,
  );

  maxInFlight = 0;
  start = Instant.now();
  const conc = await concurrentProcessing(ids, 10);
  console.log(
    `buffer_unordered(10): ${conc.length} users in ${Math.round(Instant.now() - start)} ms, max in flight ${maxInFlight}`,
  );
});
