/**
 * Mirrors the `tokio::spawn` + `JoinHandle` samples: `spawn(task(1))`, `spawn(task(2))`
 * and awaiting both handles (000, "How Do You Spawn Concurrent Tasks"); a background task
 * returning "Result Data" while main prints first (003, "Spawning Async Tasks"); and two
 * `JoinHandle<u32>` tasks running `expensive_computation` (004, "Task Spawning and
 * Structured Concurrency").
 *
 * Differs from Rust: `spawn` takes a closure (the task body), not an already-built future.
 * A closure runs on the current thread, so these tasks are concurrent, not parallel; for
 * parallel CPU work see multi_thread_spawn.ts. `handle.await.unwrap()` is `await handle`,
 * which throws a JoinError where Rust returns Err. There is no `'static` rule: a closure
 * may capture locals, since nothing is moved to another thread.
 */
import { main, sleep, spawn, type JoinHandle } from '@skein/core';

async function runTask(id: number): Promise<void> {
  console.log(`Task ${id} started`);
  await sleep(20);
  console.log(`Task ${id} completed`);
}

async function expensiveComputation(name: string): Promise<number> {
  await sleep(10);
  console.log(`${name} done`);
  return 42;
}

await main(async () => {
  // 000: both run concurrently, so their lines interleave.
  const handle1 = spawn(() => runTask(1));
  const handle2 = spawn(() => runTask(2));
  await handle1;
  await handle2;

  // 003: spawn returns at once; the task runs when the main task next yields.
  const handle = spawn(async () => {
    console.log('Running in a background task!');
    return 'Result Data';
  });
  console.log('Running in main task!');
  const result = await handle;
  console.log(`Background returned: ${result}`);

  // 004: typed handles.
  const handleA: JoinHandle<number> = spawn(() => expensiveComputation('dataset_a'));
  const handleB: JoinHandle<number> = spawn(() => expensiveComputation('dataset_b'));
  const [resultA, resultB] = [await handleA, await handleB];
  console.log(`Results: ${resultA}, ${resultB}`);
});
