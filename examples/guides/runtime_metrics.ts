/**
 * Mirrors the profiling advice of the implementation guide (001, "Profile with Async-Aware
 * Tools" and factor 5, "Performance Profiling and Bottleneck Identification"): "Monitor
 * metrics like task spawn rate, poll count per task..." with tokio-console.
 *
 * Differs from Rust: there is no tokio-console; the runtime's counters are read directly
 * through `Handle.current().metrics()` (Tokio's `RuntimeMetrics`), here after a burst of
 * short tasks on the current-thread runtime.
 */
import { Handle, JoinSet, main, sleep, yieldNow } from '@skein/core';

await main(async () => {
  const metrics = Handle.current().metrics();
  const before = metrics.spawnedTasksCount;
  await using set = new JoinSet<number>();
  for (let i = 0; i < 200; i++) {
    set.spawn(async () => {
      await yieldNow(); // a second poll per task
      await sleep(i % 5);
      return i;
    });
  }
  console.log(`alive tasks while running: ${metrics.numAliveTasks}`);
  const results = await set.joinAll();
  const w = metrics.worker(0);
  console.log(`tasks spawned: ${metrics.spawnedTasksCount - before}, joined: ${results.length}`);
  console.log(
    `worker 0: ${w.pollCount} polls, mean poll ${w.meanPollTimeUs.toFixed(1)} µs, busy ${w.busyMs.toFixed(1)} ms`,
  );
  console.log(`alive tasks after joining: ${metrics.numAliveTasks}`);
});
