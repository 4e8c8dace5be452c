/**
 * Mirrors "Understanding Async in Rust" in the async/await guide (002): `fetch_data_sync`
 * (with `thread::sleep`) called three times takes the sum of the waits, while three
 * `fetch_data_async` calls (with `tokio::time::sleep`) under `join!` take one wait.
 *
 * Differs from Rust: Node's main thread has no `thread::sleep`; `Atomics.wait` on a
 * SharedArrayBuffer is the blocking stand-in. The waits are 30 ms, not 2 s, so the
 * contrast is ~90 ms against ~30 ms instead of 6 s against 2 s.
 */
import { Instant, join, main, sleep } from '@skein/core';

const blocker = new Int32Array(new SharedArrayBuffer(4));

// Synchronous: blocks the thread.
function fetchDataSync(id: number): string {
  Atomics.wait(blocker, 0, 0, 30);
  return `Data ${id}`;
}

// Asynchronous: yields control during the wait.
async function fetchDataAsync(id: number): Promise<string> {
  await sleep(30);
  return `Data ${id}`;
}

function syncExample(): void {
  const start = Instant.now();
  const data = [fetchDataSync(1), fetchDataSync(2), fetchDataSync(3)];
  console.log(`Sync took: ${Math.round(Instant.now() - start)} ms for ${data.join(', ')}`); // ~90 ms
}

async function asyncExample(): Promise<void> {
  const start = Instant.now();
  const [d1, d2, d3] = await join(
    () => fetchDataAsync(1),
    () => fetchDataAsync(2),
    () => fetchDataAsync(3),
  );
  console.log(`Async took: ${Math.round(Instant.now() - start)} ms for ${d1}, ${d2}, ${d3}`); // ~30 ms
}

syncExample();
await main(asyncExample);
