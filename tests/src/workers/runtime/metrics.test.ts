import { describe, expect, it } from 'vitest';
import { BroadcastChannel } from 'node:worker_threads';
import { Runtime } from '@skein/core';
import { inc } from './fixtures/basic.js';
import { hookStart, hookStop, napper } from './fixtures/control.js';
import { fanOut } from './fixtures/nested.js';
import { readyLoop } from './fixtures/budget.js';
import { multiThread, waitFor } from './helpers.js';

describe('multi-thread runtime: metrics, task dumps, thread hooks', () => {
  it('reports per-worker metrics after load, and steals under imbalance', async () => {
    const rt = await multiThread(2);
    try {
      const m = rt.metrics();
      const hs = Array.from({ length: 20_000 }, (_, i) => rt.spawn(inc, i));
      await Promise.all(hs);
      // All children of fanOut are spawned on one worker: the other must steal.
      let stolen = 0;
      for (let i = 0; i < 5 && stolen === 0; i++) {
        await rt.spawn(fanOut, 16, 5);
        stolen = m.worker(0).stealCount + m.worker(1).stealCount;
      }
      await waitFor(() => m.numAliveTasks === 0, 5000, 'numAliveTasks back to 0');
      await waitFor(() => m.worker(0).parkCount > 0 && m.worker(1).parkCount > 0, 5000, 'workers parked');
      expect(stolen).toBeGreaterThan(0);
      expect(m.worker(0).stealOperations + m.worker(1).stealOperations).toBeGreaterThan(0);
      expect(m.numWorkers).toBe(2);
      expect(m.spawnedTasksCount).toBeGreaterThanOrEqual(20_000);
      expect(m.globalQueueDepth).toBe(0);
      let polls = 0;
      for (let i = 0; i < 2; i++) {
        const w = m.worker(i);
        expect(w.pollCount).toBeGreaterThan(0);
        expect(w.busyMs).toBeGreaterThan(0);
        expect(w.meanPollTimeUs).toBeGreaterThan(0);
        expect(w.unparkCount).toBeGreaterThan(0);
        expect(w.localQueueDepth).toBe(0);
        expect(w.overflowCount).toBeGreaterThanOrEqual(0);
        polls += w.pollCount;
      }
      expect(polls).toBeGreaterThanOrEqual(20_000);
      expect(m.worker(0).localScheduleCount + m.worker(1).localScheduleCount).toBeGreaterThan(0);
      expect(() => m.worker(2)).toThrow(RangeError);
    } finally {
      await rt.shutdown();
    }
  });

  it("counts the workers' forced yields in budgetForcedYieldCount", async () => {
    const rt = await multiThread(2);
    try {
      expect(rt.metrics().budgetForcedYieldCount).toBe(0);
      // 2 × 2000 ready awaits in one task: the 128-await budget runs out many times.
      expect(await rt.spawn(readyLoop, 2000)).toBe((1999 * 2000) / 2);
      // Workers publish their counters when they yield to their event loop or park.
      await waitFor(() => rt.metrics().budgetForcedYieldCount > 0, 5000, 'forced yields published');
    } finally {
      await rt.shutdown();
    }
  });

  it('pollTimeHistogram() includes the polls on the workers', async () => {
    const rt = await multiThread(2);
    try {
      // About 30 forced yields on one worker, each a poll batch its scheduler records; the
      // main thread itself polls only the handle's wake-up here.
      await rt.spawn(readyLoop, 2000);
      await waitFor(() => rt.metrics().pollTimeHistogram().count >= 20, 5000, 'worker poll times published');
      const h = rt.metrics().pollTimeHistogram();
      expect(h.min).toBeGreaterThan(0);
      expect(h.min).toBeLessThanOrEqual(h.percentile(50));
      expect(h.percentile(50)).toBeLessThanOrEqual(h.percentile(99));
      expect(h.percentile(99)).toBeLessThanOrEqual(h.max);
      expect(h.mean).toBeGreaterThanOrEqual(h.min);
      expect(h.mean).toBeLessThanOrEqual(h.max);
    } finally {
      await rt.shutdown();
    }
  });

  it('lists live tasks in a task dump, with their worker', async () => {
    const rt = await multiThread(2);
    try {
      const hs = Array.from({ length: 6 }, () => rt.spawn(napper, 1000));
      // Queued tasks are listed too (from the slot table); wait until all six have started.
      let naps: Awaited<ReturnType<typeof rt.taskDump>> = [];
      const end = Date.now() + 10_000;
      do {
        naps = (await rt.taskDump()).filter((e) => e.name === 'napper');
        expect(naps.map((e) => e.id).sort()).toEqual(hs.map((h) => h.id).sort());
      } while (naps.some((e) => e.state !== 'running') && Date.now() < end);
      for (const e of naps) {
        expect(e.state).toBe('running');
        expect([0, 1]).toContain(e.worker);
      }
      await Promise.all(hs);
      await waitFor(() => rt.metrics().numAliveTasks === 0, 5000);
      expect((await rt.taskDump()).filter((e) => e.name === 'napper')).toEqual([]);
    } finally {
      await rt.shutdown();
    }
  });

  it('runs onThreadStart/onThreadStop: plain functions on main, task() definitions in the worker', async () => {
    const seen: { hook: string; worker: number | 'main' }[] = [];
    const rt = await Runtime.builder()
      .multiThread()
      .workerThreads(2)
      .logger('silent')
      .onThreadStart(({ worker }) => seen.push({ hook: 'start', worker }))
      .onThreadStop(({ worker }) => seen.push({ hook: 'stop', worker }))
      .build();
    expect(
      seen
        .filter((s) => s.hook === 'start')
        .map((s) => s.worker)
        .sort(),
    ).toEqual([0, 1]);
    await rt.shutdown();
    expect(
      seen
        .filter((s) => s.hook === 'stop')
        .map((s) => s.worker)
        .sort(),
    ).toEqual([0, 1]);

    const inWorker: { hook: string; worker: number; threadId: number }[] = [];
    const bc = new BroadcastChannel('skein-test-hooks');
    bc.onmessage = (e: unknown) =>
      inWorker.push((e as { data: { hook: string; worker: number; threadId: number } }).data);
    try {
      const rt2 = await Runtime.builder()
        .multiThread()
        .workerThreads(2)
        .logger('silent')
        .onThreadStart(hookStart)
        .onThreadStop(hookStop)
        .build();
      await waitFor(() => inWorker.filter((s) => s.hook === 'start').length === 2, 5000, 'start hooks');
      await rt2.shutdown();
      await waitFor(() => inWorker.filter((s) => s.hook === 'stop').length === 2, 5000, 'stop hooks');
      const starts = inWorker.filter((s) => s.hook === 'start');
      expect(starts.map((s) => s.worker).sort()).toEqual([0, 1]);
      expect(new Set(starts.map((s) => s.threadId)).size).toBe(2);
    } finally {
      bc.close();
    }
  });
});
