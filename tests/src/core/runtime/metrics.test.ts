/**
 * RuntimeMetrics of the current-thread flavour: one worker (the main thread), task counts,
 * polls, busy time, parks and the poll-time histogram.
 */
import { describe, it, expect } from 'vitest';
import { Runtime, spawn, sleep, yieldNow } from '@skein/core';

/** Burn CPU on the calling thread for at least `ms` milliseconds. */
function spin(ms: number): void {
  const end = performance.now() + ms;
  while (performance.now() < end) {
    /* busy */
  }
}

describe('metrics', () => {
  it('numWorkers is 1 and worker(0) is the only worker', async () => {
    const rt = await Runtime.currentThread();
    const m = rt.metrics();
    expect(m.numWorkers).toBe(1);
    expect(() => m.worker(1)).toThrow(RangeError);
    expect(() => m.worker(1)).toThrow(expect.objectContaining({ code: 'ERR_OUT_OF_RANGE' }));
    expect(m.globalQueueDepth).toBe(0);
    expect(m.numBlockingThreads).toBe(0);
    await rt.shutdown();
  });

  it('numAliveTasks counts spawned tasks without an outcome, never the blockOn root', async () => {
    const rt = await Runtime.currentThread();
    const m = rt.metrics();
    expect(m.numAliveTasks).toBe(0);
    expect(m.spawnedTasksCount).toBe(0);
    await rt.blockOn(async () => {
      expect(m.numAliveTasks).toBe(0); // the root itself
      const hs = [spawn(() => sleep(5)), spawn(() => sleep(5)), spawn(() => 1)];
      expect(m.numAliveTasks).toBe(3);
      expect(m.spawnedTasksCount).toBe(3);
      await hs[2];
      expect(m.numAliveTasks).toBe(2);
      hs[0]!.abort();
      expect(m.numAliveTasks).toBe(1);
      await hs[1];
      expect(m.numAliveTasks).toBe(0);
    });
    // Root tasks of blockOn are not spawned tasks either.
    expect(m.spawnedTasksCount).toBe(3);
    rt.spawn(() => 1);
    expect(m.spawnedTasksCount).toBe(4);
    await rt.shutdown();
    expect(m.numAliveTasks).toBe(0);
  });

  it('worker(0) counts polls, busy time, parks and queue depth', async () => {
    const rt = await Runtime.currentThread();
    const w = rt.metrics().worker(0);
    const polls0 = w.pollCount;
    await rt.blockOn(async () => {
      // Each spawned task is one poll to start and one per runtime wake.
      const hs = Array.from({ length: 10 }, () =>
        spawn(async () => {
          await yieldNow();
        }),
      );
      expect(w.localQueueDepth).toBeGreaterThanOrEqual(10);
      for (const h of hs) await h;
      await sleep(2); // the runtime parks while nothing is ready
      // CPU work in a continuation (after a runtime wake) is busy time of the runtime.
      spin(20);
      await yieldNow();
    });
    expect(w.pollCount - polls0).toBeGreaterThanOrEqual(20);
    expect(w.localScheduleCount).toBeGreaterThanOrEqual(20);
    expect(w.busyMs).toBeGreaterThanOrEqual(15);
    expect(w.meanPollTimeUs).toBeGreaterThan(0);
    expect(w.meanPollTimeUs).toBeCloseTo((w.busyMs * 1000) / w.pollCount, 6);
    expect(w.parkCount).toBeGreaterThan(0);
    expect(w.unparkCount).toBeGreaterThan(0);
    expect(w.localQueueDepth).toBe(0);
    expect(w.stealCount).toBe(0);
    expect(w.overflowCount).toBe(0);
    await rt.shutdown();
  });

  it('with task tracking, quick first polls go into pollTimeHistogram by run, a longer poll on its own', async () => {
    const rt = await Runtime.builder().currentThread().taskTracking(true).logger('silent').build();
    const polls0 = rt.metrics().worker(0).pollCount;
    await rt.blockOn(async () => {
      const tiny = (i: number) => spawn(() => i);
      const hs = [...Array.from({ length: 500 }, (_, i) => tiny(i)), spawn(() => spin(2))];
      hs.push(...Array.from({ length: 500 }, (_, i) => tiny(i)));
      for (const h of hs) await h;
    });
    const m = rt.metrics();
    expect(m.worker(0).pollCount - polls0).toBeGreaterThanOrEqual(1001);
    const h = m.pollTimeHistogram();
    expect(h.count).toBeLessThan(500);
    // In a run with a hundred tiny polls, the 2 ms poll still shows as itself, not in a mean.
    expect(h.max).toBeGreaterThanOrEqual(2000);
    await rt.shutdown();
  });

  it('pollTimeHistogram has samples and a positive p99 after work', async () => {
    const rt = await Runtime.currentThread();
    expect(rt.metrics().pollTimeHistogram().percentile(99)).toBe(0);
    await rt.blockOn(async () => {
      for (let i = 0; i < 50; i++)
        await spawn(async () => {
          await yieldNow();
          spin(0.05);
        });
    });
    const h = rt.metrics().pollTimeHistogram();
    expect(h.count).toBeGreaterThan(0);
    expect(h.percentile(99)).toBeGreaterThan(0);
    expect(h.max).toBeGreaterThanOrEqual(h.min);
    await rt.shutdown();
  });

  it('budgetForcedYieldCount stays 0 for a program that never exhausts the budget', async () => {
    const rt = await Runtime.currentThread();
    await rt.blockOn(async () => {
      for (let i = 0; i < 5; i++) await spawn(() => sleep(1));
    });
    expect(rt.metrics().budgetForcedYieldCount).toBe(0);
    await rt.shutdown();
  });
});
