import { describe, expect, it } from 'vitest';
import { Runtime, mpsc, sleep, spawn, yieldNow } from '@skein/core';
import { runPaused } from './helpers.js';

describe('RuntimeMetrics (current-thread)', () => {
  it('numWorkers is 1 and the blocking pool is idle when unused', async () => {
    await runPaused((rt) => {
      const m = rt.metrics();
      expect(m.numWorkers).toBe(1);
      expect(m.numBlockingThreads).toBe(0);
      expect(m.numIdleBlockingThreads).toBe(0);
      expect(m.blockingQueueDepth).toBe(0);
      expect(m.globalQueueDepth).toBe(0);
    });
  });

  it('numAliveTasks counts spawned tasks without an outcome and excludes the blockOn root', async () => {
    await runPaused(async (rt) => {
      expect(rt.metrics().numAliveTasks).toBe(0);
      const hs = [10, 20, 30].map((d) => spawn(() => sleep(d)));
      expect(rt.metrics().numAliveTasks).toBe(3);
      await hs[0];
      expect(rt.metrics().numAliveTasks).toBe(2);
      hs[2]!.abort();
      await hs[2]!.then(
        () => {},
        () => {},
      );
      expect(rt.metrics().numAliveTasks).toBe(1);
      await hs[1];
      expect(rt.metrics().numAliveTasks).toBe(0);
    });
  });

  it('a failed task is no longer alive', async () => {
    await runPaused(async (rt) => {
      const h = spawn(async () => {
        await sleep(1);
        throw new Error('x');
      });
      expect(rt.metrics().numAliveTasks).toBe(1);
      await h.then(
        () => {},
        () => {},
      );
      expect(rt.metrics().numAliveTasks).toBe(0);
    });
  });

  it('spawnedTasksCount grows by one per spawn and never shrinks', async () => {
    await runPaused(async (rt) => {
      const before = rt.metrics().spawnedTasksCount;
      const hs = [spawn(() => 1), spawn(() => 2), rt.spawn(() => 3), rt.spawnLocal(() => 4)];
      expect(rt.metrics().spawnedTasksCount).toBe(before + 4);
      for (const h of hs) await h;
      expect(rt.metrics().spawnedTasksCount).toBe(before + 4);
    });
  });

  it('spawnedTasksCount and numAliveTasks are visible from outside blockOn', async () => {
    const rt = await Runtime.builder().startPaused(true).logger('silent').build();
    try {
      const h = rt.spawn(() => sleep(100));
      expect(rt.metrics().numAliveTasks).toBe(1);
      expect(rt.metrics().spawnedTasksCount).toBe(1);
      await rt.blockOn(() => h);
      expect(rt.metrics().numAliveTasks).toBe(0);
    } finally {
      await rt.shutdown();
    }
  });

  it('worker(0).pollCount counts task starts and wakes', async () => {
    await runPaused(async (rt) => {
      const before = rt.metrics().worker(0).pollCount;
      const hs = Array.from({ length: 10 }, () =>
        spawn(async () => {
          await yieldNow();
          await sleep(1);
        }),
      );
      for (const h of hs) await h;
      // 10 starts + at least 10 wakes from each await
      expect(rt.metrics().worker(0).pollCount - before).toBeGreaterThanOrEqual(30);
    });
  });

  it('worker(0) exposes every documented figure as a non-negative number', async () => {
    await runPaused(async (rt) => {
      await spawn(() => sleep(1));
      const w = rt.metrics().worker(0);
      for (const k of [
        'pollCount',
        'stealCount',
        'stealOperations',
        'parkCount',
        'unparkCount',
        'busyMs',
        'localQueueDepth',
        'localScheduleCount',
        'overflowCount',
        'meanPollTimeUs',
      ] as const) {
        expect(typeof w[k], k).toBe('number');
        expect(w[k], k).toBeGreaterThanOrEqual(0);
      }
      // one thread: nothing to steal from
      expect(w.stealCount).toBe(0);
      expect(w.stealOperations).toBe(0);
    });
  });

  it('parkCount / unparkCount move when the runtime goes idle and wakes again', async () => {
    await runPaused(async (rt) => {
      const w0 = rt.metrics().worker(0);
      const park = w0.parkCount;
      const unpark = w0.unparkCount;
      for (let i = 0; i < 3; i++) await sleep(10);
      const w1 = rt.metrics().worker(0);
      expect(w1.parkCount).toBeGreaterThan(park);
      expect(w1.unparkCount).toBeGreaterThan(unpark);
    });
  });

  it('budgetForcedYieldCount counts forced yields of a task spinning on ready operations', async () => {
    await runPaused(async (rt) => {
      const before = rt.metrics().budgetForcedYieldCount;
      const [tx, rx] = mpsc.unboundedChannel<number>();
      for (let i = 0; i < 1_000; i++) tx.send(i);
      let sum = 0;
      for (let i = 0; i < 1_000; i++) sum += (await rx.recv())!;
      expect(sum).toBe(499_500);
      expect(rt.metrics().budgetForcedYieldCount).toBeGreaterThan(before);
    });
  });

  it('budget forced yields let timers and I/O run while a task spins on a ready channel', async () => {
    await runPaused(async () => {
      const [tx, rx] = mpsc.unboundedChannel<number>();
      for (let i = 0; i < 1_000; i++) tx.send(i);
      let immediateRan = false;
      setImmediate(() => {
        immediateRan = true;
      });
      let seenAt = -1;
      for (let i = 0; i < 1_000; i++) {
        await rx.recv();
        if (immediateRan && seenAt < 0) seenAt = i;
      }
      expect(seenAt).toBeGreaterThan(0);
      expect(seenAt).toBeLessThan(1_000);
    });
  });

  it('pollTimeHistogram().percentile(p) returns a non-negative number', async () => {
    await runPaused(async (rt) => {
      for (let i = 0; i < 5; i++) await spawn(() => sleep(1));
      const h = rt.metrics().pollTimeHistogram();
      const p50 = h.percentile(50);
      const p99 = h.percentile(99);
      expect(typeof p50).toBe('number');
      expect(p50).toBeGreaterThanOrEqual(0);
      expect(p99).toBeGreaterThanOrEqual(p50);
    });
  });
});
