/**
 * Mirrors the structured-concurrency advice of the implementation guide (001), which names
 * `tokio::task::JoinSet` without a code sample: "Start with Structured Concurrency
 * Patterns" (all spawned tasks complete before scope exit), and FAQ Q3, "consider using
 * futures::future::try_join_all or tokio::task::JoinSet for aggregated error handling".
 *
 * Differs from Rust: JoinSet's Drop (abort everything left) is `await using` or an explicit
 * `shutdown()`; `join_next()` returns `undefined` when the set is empty instead of `None`,
 * and throws a JoinError instead of returning `Some(Err(..))`. `joinAll()` is the
 * `try_join_all` shape: on the first failure it aborts the rest and rethrows.
 */
import { JoinError, JoinSet, main, sleep } from '@skein/core';

async function work(id: number, ms: number): Promise<string> {
  await sleep(ms);
  if (id === 3) throw new Error(`job ${id} failed`);
  return `job ${id} (${ms} ms)`;
}

await main(async () => {
  // Completion order, with per-task error handling.
  {
    await using set = new JoinSet<string>();
    for (const [id, ms] of [
      [1, 30],
      [2, 10],
      [3, 20],
      [4, 5],
    ] as const)
      set.spawn(() => work(id, ms));
    for (;;) {
      let r: string | undefined;
      try {
        r = await set.joinNext();
      } catch (e) {
        if (!(e instanceof JoinError)) throw e;
        console.log(`failed: ${String(e.cause)}`);
        continue;
      }
      if (r === undefined) break; // empty: every task has been joined
      console.log(`done: ${r}`);
    }
  }

  // try_join_all: the first error aborts the others and propagates. Tokio's join_all
  // consumes the set; here the aborted tasks stay in it until joined, and `await using`
  // joins them (shutdown) when the block exits.
  await using set = new JoinSet<string>();
  let aborted = 0;
  for (const [id, ms] of [
    [1, 200],
    [3, 10],
    [5, 200],
  ] as const) {
    set.spawn(async () => {
      try {
        return await work(id, ms);
      } finally {
        if (id !== 3) aborted++; // runs when joinAll aborts the task
      }
    });
  }
  try {
    await set.joinAll();
  } catch (e) {
    console.log(`joinAll rethrew: ${e instanceof JoinError ? String(e.cause) : String(e)}`);
  }
  await set.shutdown();
  console.log(`the ${aborted} other tasks were aborted and ran their finally blocks`);
});
