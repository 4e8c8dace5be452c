/**
 * Mirrors what `#[tokio::main]` expands to, `Runtime::new().unwrap().block_on(async { ... })`
 * (000, "Using tokio with the #[tokio::main] Macro"), and the two flavours the Tokio guide
 * contrasts: `#[tokio::main(flavor = "current_thread")]` for scripts and the multi-thread
 * scheduler (004, "Setting Up Tokio as the Async Runtime"; 001, "Runtime Selection and
 * Configuration": thread pool size).
 *
 * Differs from Rust: building a runtime is async (the multi-thread flavour starts worker
 * threads), so `build()` is awaited; `blockOn` returns a Promise of the root task's value
 * instead of blocking the thread, since Node's only thread must keep its event loop
 * running; and the runtime is shut down explicitly (or with `await using`) where Rust drops it.
 */
import { Runtime, sleep, spawn } from '@skein/core';

// Runtime::new() + block_on, with the flavour spelled out.
const rt = await Runtime.builder().currentThread().build();
const value = await rt.blockOn(async () => {
  const h = spawn(async () => {
    await sleep(5);
    return 21;
  });
  return (await h) * 2;
});
console.log(`${rt.flavor} runtime: block_on returned ${value}`);
await rt.shutdown();

// The multi-thread flavour, with the pool size set as the guide's configuration advice
// suggests. `await using` shuts it down at the end of the block, like Rust's Drop.
{
  await using mt = await Runtime.builder().multiThread().workerThreads(2).build();
  const n = await mt.blockOn(async () => {
    await sleep(5);
    return mt.metrics().numWorkers;
  });
  console.log(`${mt.flavor} runtime: ${n} worker threads`);
}
console.log('both runtimes shut down');
