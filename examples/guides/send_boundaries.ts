/**
 * Mirrors FAQ Q4 of the implementation guide (001), "cannot be sent between threads
 * safely": futures given to `tokio::spawn` must be `Send`, the fixes being Arc instead of
 * Rc, `Arc<Mutex<_>>`, or `spawn_local`; and the Tokio guide's note that spawned tasks must
 * be `Send + 'static` (004, "Task Spawning and Structured Concurrency").
 *
 * Differs from Rust: the checks happen at spawn time, not compile time. What can move to
 * another thread is a task definition (module URL + export name, see tasks/cpu.ts) plus
 * arguments that survive structured clone. A closure passed to `spawnBlocking` throws
 * NotSendableError; an argument that can't be cloned (a function, say) throws
 * SerializationError before any work is queued. Closures are always fine for `spawn` and
 * `spawnLocal`, which run them on the current thread, like `spawn_local`: they may capture
 * anything, Rc-like state included.
 */
import { NotSendableError, SerializationError, main, spawnBlocking, spawnLocal } from '@skein/core';
import { computeHash, sumRange } from './tasks/cpu.js';

await main(async () => {
  // A closure can't cross threads.
  try {
    spawnBlocking((() => 1 + 1) as never);
  } catch (e) {
    if (!(e instanceof NotSendableError)) throw e;
    console.log(`closure: ${e.name} (${e.code})`);
  }

  // Nor can an argument that structured clone refuses.
  try {
    spawnBlocking(computeHash, (() => new Uint8Array(1)) as never);
  } catch (e) {
    if (!(e instanceof SerializationError)) throw e;
    console.log(`function argument: ${e.name} (${e.code})`);
  }

  // A task definition with plain data crosses fine.
  console.log(`task definition: sum = ${await spawnBlocking(sumRange, 1000)}`);

  // Non-sendable state stays on this thread: spawnLocal captures it freely.
  const cache = new Map<string, () => string>([['greet', () => 'hello from a captured closure']]);
  console.log(`spawnLocal: ${await spawnLocal(() => cache.get('greet')!())}`);
});
