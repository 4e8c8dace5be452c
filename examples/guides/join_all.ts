/**
 * Mirrors "Using futures::join_all for Dynamic Collections" in the Rust async/await guide
 * (000): build a `Vec` of futures and await them all, getting `[2, 4, 6]`.
 *
 * Differs from Rust: skein's `join` is variadic, so a dynamic collection is spread into it;
 * results come back in argument order, like `join_all`. The collection holds thunks, so no
 * work starts until `join` runs them (a Vec of Rust futures is just as inert).
 * `Promise.all` would also work on promises, but could not cancel them.
 */
import { join, main, sleep } from '@skein/core';

async function task(id: number): Promise<number> {
  await sleep(5 * (4 - id)); // finish in reverse order, to show results keep their order
  return id * 2;
}

await main(async () => {
  const tasks = [1, 2, 3].map((id) => () => task(id));
  const results = await join(...tasks);
  console.log(JSON.stringify(results)); // [2,4,6]
});
