/**
 * Mirrors the guides' claims about parallelism: the two spawned `expensive_computation`
 * tasks that "run in parallel across available threads" (004, "Task Spawning and Structured
 * Concurrency"), "use threads for CPU-bound work... when you need true parallelism" (000,
 * "What Is the Difference Between Async and Threads"), and "CPU-bound tasks scale poorly
 * beyond your CPU core count" (001, FAQ Q5).
 *
 * Differs from Rust: Tokio's default runtime is multi-thread and any `Send` future can be
 * spawned onto it. In skein the multi-thread flavour is opt-in (`flavor: 'multi_thread'`,
 * or SKEIN_FLAVOR), and only task definitions (tasks/cpu.ts) go to its worker threads; a
 * closure passed to `spawn` still runs on the main thread. Each result reports the thread
 * it ran on.
 */
import { threadId } from 'node:worker_threads';
import { Handle, join, main, spawn } from '@skein/core';
import { expensiveComputation } from './tasks/cpu.js';

await main(
  async () => {
    console.log(`${Handle.current().flavor} runtime; main thread is ${threadId}`);
    const handleA = spawn(expensiveComputation, 'dataset_a', 2_000_000);
    const handleB = spawn(expensiveComputation, 'dataset_b', 2_000_000);
    const [a, b] = await join(handleA, handleB);
    for (const r of [a, b]) console.log(`${r.name} done on thread ${r.thread}: ${r.value}`);
    const closure = await spawn(() => threadId);
    console.log(`a spawned closure ran on thread ${closure} (the main thread)`);
  },
  { flavor: 'multi_thread', workerThreads: 2 },
);
