/**
 * Mirrors the "blocking the executor" pitfall: `bad_example` calling
 * `std::thread::sleep` inside an async fn next to `good_example` using
 * `tokio::time::sleep(...).await` (002, "Practical Patterns and Pitfalls"; also 003,
 * "Common Mistakes", and 000, "What Pitfalls Should You Avoid?").
 *
 * Differs from Rust: JavaScript has no `std::thread::sleep` on the main thread;
 * `Atomics.wait` on a SharedArrayBuffer is the closest thing (a synchronous busy loop
 * would do the same harm). On the current-thread runtime a blocked thread stops *every*
 * task, timers and I/O included, where Tokio's multi-thread flavour would only lose one
 * worker. A ticker task on a 5 ms interval shows the difference: it misses its ticks
 * while the thread is blocked.
 */
import { Instant, interval, main, sleep, spawn } from '@skein/core';

const blocker = new Int32Array(new SharedArrayBuffer(4));

// BAD: blocks the runtime's only thread.
async function badExample(ms: number): Promise<void> {
  Atomics.wait(blocker, 0, 0, ms);
}

// GOOD: yields to the runtime until the timer fires.
async function goodExample(ms: number): Promise<void> {
  await sleep(ms);
}

await main(async () => {
  let ticks = 0;
  const ticker = spawn(async () => {
    // 'delay' keeps a late ticker from bursting to catch up, so ticks counts real turns.
    const every5ms = interval(5, { missedTickBehavior: 'delay' });
    for (;;) {
      await every5ms.tick();
      ticks++;
    }
  });
  await sleep(1); // let the ticker start

  for (const [name, f] of [
    ['bad_example', badExample],
    ['good_example', goodExample],
  ] as const) {
    const before = ticks;
    const start = Instant.now();
    await f(50);
    await sleep(0); // one turn of the event loop, so ticks due by now can run
    console.log(
      `${name}: 50 ms took ${Math.round(Instant.now() - start)} ms; the ticker ran ${ticks - before} times meanwhile`,
    );
  }
  ticker.abort();
});
