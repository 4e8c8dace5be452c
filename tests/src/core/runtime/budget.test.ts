/**
 * The cooperative budget: a task looping on runtime awaits that are always ready must not
 * starve the event loop. Each loop below stops as soon as the foreign callbacks have run, and
 * gives up after a bound that takes far more event-loop turns than the callbacks need; if
 * they were starved, their markers are still unset when the loop gives up.
 */
import { describe, it, expect } from 'vitest';
import { readFile } from 'node:fs/promises';
import { readFile as readFileCb } from 'node:fs';
import { createServer, connect, type AddressInfo, type Server } from 'node:net';
import { fileURLToPath } from 'node:url';
import { Runtime, spawn, JoinSet, yieldNow, CancellationToken, TaskTracker } from '@skein/core';

const LIMIT = 2_000_000;
const thisFile = fileURLToPath(import.meta.url);

interface Markers {
  immediate: number;
  timeout: number;
  io: number;
}

function armForeignCallbacks(iterations: () => number): Markers {
  const m: Markers = { immediate: -1, timeout: -1, io: -1 };
  setImmediate(() => {
    m.immediate = iterations();
  });
  setTimeout(() => {
    m.timeout = iterations();
  }, 0);
  readFileCb(thisFile, () => {
    m.io = iterations();
  });
  return m;
}

const allRan = (m: Markers): boolean => m.immediate >= 0 && m.timeout >= 0 && m.io >= 0;

describe('cooperative budget', () => {
  it('awaiting finished JoinHandles in a loop lets setImmediate, setTimeout(0) and fs callbacks run', async () => {
    const rt = await Runtime.currentThread();
    const result = await rt.blockOn(async () => {
      const done = spawn(() => 1);
      await done;
      let i = 0;
      const m = armForeignCallbacks(() => i);
      while (!allRan(m) && i < LIMIT) {
        await done; // always ready
        i++;
      }
      return { m, i };
    });
    expect(result.m.immediate).toBeGreaterThanOrEqual(0);
    expect(result.m.timeout).toBeGreaterThanOrEqual(0);
    expect(result.m.io).toBeGreaterThanOrEqual(0);
    // They ran while the loop was still going, not after it.
    expect(result.i).toBeLessThan(LIMIT);
    expect(rt.metrics().budgetForcedYieldCount).toBeGreaterThan(0);
    await rt.shutdown();
  });

  it('draining a JoinSet of finished tasks lets foreign callbacks run mid-drain', async () => {
    const rt = await Runtime.currentThread();
    const N = 20_000;
    const result = await rt.blockOn(async () => {
      const set = new JoinSet<number>();
      for (let k = 0; k < N; k++) set.spawn(() => k);
      // Let every task finish first: from here on, each joinNext is ready at once.
      while (set.tryJoinNext() === undefined) await yieldNow();
      let i = 1;
      let immediateAt = -1;
      let timeoutAt = -1;
      setImmediate(() => {
        immediateAt = i;
      });
      setTimeout(() => {
        timeoutAt = i;
      }, 0);
      while ((await set.joinNext()) !== undefined) i++;
      return { immediateAt, timeoutAt, i };
    });
    expect(result.i).toBe(N);
    expect(result.immediateAt).toBeGreaterThan(0);
    expect(result.immediateAt).toBeLessThan(N);
    expect(result.timeoutAt).toBeGreaterThan(0);
    expect(result.timeoutAt).toBeLessThan(N);
    expect(rt.metrics().budgetForcedYieldCount).toBeGreaterThan(0);
    await rt.shutdown();
  });

  it('a real TCP echo on 127.0.0.1 completes while a task spins on ready awaits', async () => {
    const server: Server = createServer((s) => s.pipe(s));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as AddressInfo).port;
    const rt = await Runtime.currentThread();
    try {
      const result = await rt.blockOn(async () => {
        const done = spawn(() => 'ready');
        await done;
        let i = 0;
        let echoedAt = -1;
        let echoed = '';
        const client = connect(port, '127.0.0.1', () => client.write('ping'));
        client.on('data', (b) => {
          echoed += b.toString();
          if (echoed === 'ping') echoedAt = i;
        });
        while (echoedAt < 0 && i < LIMIT) {
          await done;
          i++;
        }
        client.destroy();
        return { echoedAt, echoed, i };
      });
      expect(result.echoed).toBe('ping');
      expect(result.echoedAt).toBeGreaterThanOrEqual(0);
      expect(result.i).toBeLessThan(LIMIT);
      expect(rt.metrics().budgetForcedYieldCount).toBeGreaterThan(0);
    } finally {
      await rt.shutdown();
      await new Promise((r) => server.close(r));
    }
  });

  it('promise-based fs I/O completes while a task spins on ready awaits', async () => {
    const rt = await Runtime.currentThread();
    const result = await rt.blockOn(async () => {
      const done = spawn(() => 0);
      await done;
      let i = 0;
      let readAt = -1;
      void readFile(thisFile).then(() => {
        readAt = i;
      });
      while (readAt < 0 && i < LIMIT) {
        await done;
        i++;
      }
      return { readAt, i };
    });
    expect(result.readAt).toBeGreaterThanOrEqual(0);
    expect(result.i).toBeLessThan(LIMIT);
    await rt.shutdown();
  });

  it('a spinning task does not starve a sibling task parked on a timer', async () => {
    const rt = await Runtime.currentThread();
    const result = await rt.blockOn(async () => {
      const { sleep } = await import('@skein/core');
      let siblingWokeAt = -1;
      let i = 0;
      const sibling = spawn(async () => {
        await sleep(1);
        siblingWokeAt = i;
      });
      const done = spawn(() => 0);
      await done;
      while (siblingWokeAt < 0 && i < LIMIT) {
        await done;
        i++;
      }
      await sibling;
      return { siblingWokeAt, i };
    });
    expect(result.siblingWokeAt).toBeGreaterThanOrEqual(0);
    expect(result.i).toBeLessThan(LIMIT);
    await rt.shutdown();
  });

  it('ready CancellationToken.cancelled() and TaskTracker.wait() awaits charge the budget too', async () => {
    const rt = await Runtime.currentThread();
    const result = await rt.blockOn(async () => {
      const token = new CancellationToken();
      token.cancel();
      const tracker = new TaskTracker();
      tracker.close();
      let i = 0;
      const m = armForeignCallbacks(() => i);
      while (!allRan(m) && i < LIMIT) {
        await token.cancelled();
        await tracker.wait();
        i++;
      }
      return { m, i };
    });
    expect(allRan(result.m)).toBe(true);
    expect(result.i).toBeLessThan(LIMIT);
    expect(rt.metrics().budgetForcedYieldCount).toBeGreaterThan(0);
    await rt.shutdown();
  });

  it('the budget resets each turn: a short burst of ready awaits is not forced to yield', async () => {
    const rt = await Runtime.currentThread();
    await rt.blockOn(async () => {
      const done = spawn(() => 0);
      await done;
      await yieldNow(); // a fresh turn: full budget
      const before = rt.metrics().budgetForcedYieldCount;
      for (let k = 0; k < 50; k++) await done; // well under 128 polls
      expect(rt.metrics().budgetForcedYieldCount).toBe(before);
    });
    await rt.shutdown();
  });
});
