/**
 * W4G1/multithreading (npm `multithreading`), the closest JavaScript peer of skein's
 * cross-thread primitives: a thread pool whose tasks share a `channel` (MPMC, values as
 * JSON in a SharedJsonBuffer) and a `Mutex` over a SharedArrayBuffer. Its task functions
 * are stringified and run in its own workers, so they take everything through `move()`.
 */
import { Mutex, channel, drop, initRuntime, move, shutdown, spawn } from 'multithreading';
import type { Contender } from '../harness.js';

/** A contender with the library's pool of `workers` threads around all rounds. */
function onPool(name: string, ops: number, workers: number, run: () => Promise<void>): Contender {
  return {
    name,
    ops,
    setup() {
      initRuntime({ maxWorkers: workers });
    },
    async teardown() {
      await shutdown();
    },
    run,
  };
}

/** `producers` pool tasks send `each` numbers through a channel of `capacity` to the main thread. */
export function mtChannel(name: string, workers: number, producers: number, each: number, capacity: number): Contender {
  return onPool(name, producers * each, workers, async () => {
    const [tx, rx] = channel<number>(capacity);
    const hs = Array.from({ length: producers }, () =>
      spawn(move(tx.clone(), each), async (s, n) => {
        for (let i = 0; i < n; i++) await s.send(i);
      }),
    );
    drop(tx);
    for (let i = 0; i < producers * each; i++) {
      const r = await rx.recv();
      if (!r.ok) throw new Error(`multithreading channel: ${String(r.error)} after ${i} messages`);
    }
    for (const h of hs) await h.join();
    drop(rx);
  });
}

/** Lock, bump an Int32 in shared memory, release, `locks` times on the main thread. */
export function mtMutexUncontended(name: string, locks: number): Contender {
  return onPool(name, locks, 1, async () => {
    const m = new Mutex(new Int32Array(new SharedArrayBuffer(4)));
    for (let i = 0; i < locks; i++) {
      const g = await m.lock();
      g.value[0]!++;
      g.dispose();
    }
  });
}

/** `tasks` pool tasks each lock, bump, release `each` times. */
export function mtMutexContended(name: string, workers: number, tasks: number, each: number): Contender {
  return onPool(name, tasks * each, workers, async () => {
    const m = new Mutex(new Int32Array(new SharedArrayBuffer(4)));
    await Promise.all(
      Array.from({ length: tasks }, () =>
        spawn(move(m, each), async (mm, e) => {
          for (let i = 0; i < e; i++) {
            const g = await mm.lock();
            g.value[0]!++;
            g.dispose();
          }
        }).join(),
      ),
    );
  });
}
