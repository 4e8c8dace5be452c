import { describe, expect, it } from 'vitest';
import { Runtime, spawn, type RuntimeMetricsJSON } from '@skein/core';
import { handleMetricsJson, syncTask } from './fixtures/metrics_json.js';
import { multiThread, waitFor } from './helpers.js';

const COUNTERS = [
  'numWorkers',
  'numAliveTasks',
  'spawnedTasksCount',
  'globalQueueDepth',
  'budgetForcedYieldCount',
  'numBlockingThreads',
  'numIdleBlockingThreads',
  'blockingQueueDepth',
];
const WORKER_FIELDS = [
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
  'eventLoopActiveMs',
  'eventLoopIdleMs',
];

function checkShape(json: RuntimeMetricsJSON, workers: number): void {
  for (const k of COUNTERS) expect(typeof (json as unknown as Record<string, unknown>)[k], k).toBe('number');
  expect(json.numWorkers).toBe(workers);
  expect(json.workers).toHaveLength(workers);
  for (const w of json.workers) expect(Object.keys(w).sort()).toEqual([...WORKER_FIELDS].sort());
  const h = json.pollTimeHistogram;
  expect(Object.keys(h.percentiles)).toEqual(['p50', 'p90', 'p99', 'p99.9']);
  expect(h.min).toBeLessThanOrEqual(h.percentiles.p50!);
  expect(h.percentiles.p50!).toBeLessThanOrEqual(h.percentiles.p99!);
  expect(h.percentiles.p99!).toBeLessThanOrEqual(h.max);
}

describe('JSON.stringify(runtime.metrics())', () => {
  it('lists every counter, every worker and the histogram on the current-thread flavour', async () => {
    const rt = await Runtime.builder().currentThread().logger('silent').build();
    try {
      await rt.blockOn(async () => {
        for (let i = 0; i < 20; i++) await spawn(syncTask, i);
      });
      const json = JSON.parse(JSON.stringify(rt.metrics())) as RuntimeMetricsJSON;
      checkShape(json, 1);
      expect(json.spawnedTasksCount).toBe(20);
      expect(json.workers[0]!.pollCount).toBeGreaterThan(0);
      expect(json.pollTimeHistogram.count).toBeGreaterThan(0);
    } finally {
      await rt.shutdown();
    }
  });

  it('does the same on the multi-thread flavour, from the main thread and from a worker', async () => {
    const rt = await multiThread(2);
    try {
      const hs = Array.from({ length: 200 }, (_, i) => rt.spawn(syncTask, i));
      for (const h of hs) await h;
      const json = JSON.parse(JSON.stringify(rt.metrics())) as RuntimeMetricsJSON;
      checkShape(json, 2);
      expect(json.spawnedTasksCount).toBeGreaterThanOrEqual(200);
      checkShape(JSON.parse(await rt.spawn(handleMetricsJson)) as RuntimeMetricsJSON, 2);
    } finally {
      await rt.shutdown();
    }
  });
});

describe('the multi-thread poll-time histogram', () => {
  it('counts the polls of synchronous tasks on the workers', async () => {
    const rt = await multiThread(2);
    try {
      const n = 5000;
      const hs = Array.from({ length: n }, (_, i) => rt.spawn(syncTask, i));
      for (const h of hs) await h;
      // Each sample is a batch of first polls; the last batch is recorded as its step ends.
      await waitFor(() => rt.metrics().pollTimeHistogram().count > 0, 5000, 'worker poll samples');
      const h = rt.metrics().pollTimeHistogram();
      expect(h.min).toBeGreaterThan(0);
      expect(h.max).toBeGreaterThanOrEqual(h.percentile(50));
    } finally {
      await rt.shutdown();
    }
  });
});
