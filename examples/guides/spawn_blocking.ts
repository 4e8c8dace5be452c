/**
 * Mirrors the `spawn_blocking` samples: `cpu_intensive_work`, which sums `0..1_000_000` on
 * the blocking pool (002, "Practical Patterns and Pitfalls"), and `compute_hash(b"large
 * dataset")` off the async threads (004, "Performance Characteristics and When to Use Async").
 *
 * Differs from Rust: a closure can't move to another thread in JavaScript, so the work is a
 * task definition exported from a side-effect-free module (tasks/cpu.ts), spawned by
 * reference with its arguments, which are copied across (structured clone). Passing a
 * closure throws NotSendableError (see send_boundaries.ts). The blocking pool is a set of
 * worker threads, in both runtime flavours; meanwhile the main thread's tasks keep running,
 * which the ticker below shows.
 */
import { Instant, interval, main, spawn, spawnBlocking } from '@skein/core';
import { computeHash, sumRange } from './tasks/cpu.js';

async function cpuIntensiveWork(): Promise<number> {
  return await spawnBlocking(sumRange, 1_000_000);
}

await main(async () => {
  let ticks = 0;
  const ticker = spawn(async () => {
    // 'delay': count the turns the ticker really got, not catch-up bursts.
    for await (const _ of interval(2, { missedTickBehavior: 'delay' })) ticks++;
  });

  const start = Instant.now();
  const [sum, hash] = await Promise.all([
    cpuIntensiveWork(),
    spawnBlocking(computeHash, new TextEncoder().encode('large dataset')),
  ]);
  console.log(`Sum: ${sum}`);
  console.log(`Hash: ${hash}`);
  // The first spawn also starts the pool's threads, which load this module: most of the time.
  console.log(
    `the event loop stayed free: a 2 ms ticker ticked ${ticks} time(s) in those ${Math.round(Instant.now() - start)} ms`,
  );
  ticker.abort();
});
