import { afterEach, describe, expect, it } from 'vitest';
import { Registry } from 'prom-client';
import { Runtime } from '@skein/core';
import { prometheus } from '@skein/console';
import { napper } from './fixtures/workload.js';
import { multiThread, ticker, waitFor } from './fixtures/helpers.js';

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f();
});

/** Sample lines of the exposition text: `name{labels}` to value. */
function samples(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const i = line.lastIndexOf(' ');
    out.set(line.slice(0, i), Number(line.slice(i + 1)));
  }
  return out;
}

describe('@skein/console: prometheus()', () => {
  it('exports the current-thread runtime\'s figures, the main thread as worker "main"', async () => {
    const rt = await Runtime.builder().currentThread().logger('silent').build();
    cleanup.push(() => rt.shutdown());
    const registry = new Registry();
    prometheus(rt, registry);
    ticker(rt, 'tick', 2);
    await waitFor(() => rt.metrics().worker(0).pollCount >= 10, 10_000, 'polls');
    const s = samples(await registry.metrics());
    const m = rt.metrics();
    expect(s.get('skein_alive_tasks')).toBe(1);
    expect(s.get('skein_spawned_tasks_total')).toBe(m.spawnedTasksCount);
    expect(s.get('skein_global_queue_depth')).toBe(0);
    expect(s.get('skein_blocking_threads')).toBe(0);
    expect(s.get('skein_worker_polls_total{worker="main"}')).toBeGreaterThanOrEqual(10);
    expect(s.get('skein_worker_busy_seconds_total{worker="main"}')).toBeGreaterThan(0);
    expect(s.has('skein_worker_steals_total{worker="main"}')).toBe(true);
    // The histogram: cumulative buckets, +Inf holding every poll, as _count does.
    const count = s.get('skein_poll_time_seconds_count')!;
    expect(count).toBeGreaterThanOrEqual(10);
    expect(s.get('skein_poll_time_seconds_bucket{le="+Inf"}')).toBe(count);
    const buckets = [...s].filter(([k]) => k.startsWith('skein_poll_time_seconds_bucket')).map(([, v]) => v);
    expect(buckets.length).toBeGreaterThan(10);
    for (let i = 1; i < buckets.length; i++) expect(buckets[i]).toBeGreaterThanOrEqual(buckets[i - 1]!);
    expect(s.get('skein_poll_time_seconds_sum')).toBeGreaterThan(0);
  });

  it("merges every worker thread's figures, one label per worker", async () => {
    const rt = await multiThread(2);
    cleanup.push(() => rt.shutdown());
    const registry = new Registry();
    prometheus(rt, registry);
    await Promise.all(Array.from({ length: 50 }, () => rt.spawn(napper, 1)));
    // Workers publish their counters to shared memory when they park.
    await waitFor(
      () => rt.metrics().worker(0).pollCount + rt.metrics().worker(1).pollCount >= 50,
      10_000,
      'worker polls published',
    );
    // They publish their event loop's times at most every 50 ms.
    await waitFor(
      () =>
        [0, 1].some((i) => rt.metrics().worker(i).eventLoopIdleMs > 0) &&
        [0, 1].some((i) => rt.metrics().worker(i).eventLoopActiveMs > 0),
      10_000,
      'worker event-loop times published',
    );
    const m = rt.metrics();
    const pollsBefore = m.pollTimeHistogram().count;
    const s = samples(await registry.metrics());
    const polls = [0, 1].map((i) => s.get(`skein_worker_polls_total{worker="${i}"}`)!);
    expect(polls[0]! + polls[1]!).toBeGreaterThanOrEqual(50);
    expect(s.get('skein_spawned_tasks_total')).toBe(m.spawnedTasksCount);
    expect(s.get('skein_spawned_tasks_total')).toBeGreaterThanOrEqual(50);
    for (const i of [0, 1]) {
      expect(s.has(`skein_worker_steals_total{worker="${i}"}`)).toBe(true);
      expect(s.has(`skein_worker_parks_total{worker="${i}"}`)).toBe(true);
      expect(s.has(`skein_worker_local_queue_depth{worker="${i}"}`)).toBe(true);
      expect(s.has(`skein_worker_event_loop_active_seconds_total{worker="${i}"}`)).toBe(true);
    }
    const loop = (kind: string) =>
      [0, 1].reduce((n, i) => n + s.get(`skein_worker_event_loop_${kind}_seconds_total{worker="${i}"}`)!, 0);
    expect(loop('active')).toBeGreaterThan(0);
    expect(loop('idle')).toBeGreaterThan(0);
    // A worker may publish more polls between the reads: the scrape sits between them.
    expect(s.get('skein_poll_time_seconds_count')).toBeGreaterThanOrEqual(pollsBefore);
    expect(s.get('skein_poll_time_seconds_count')).toBeLessThanOrEqual(m.pollTimeHistogram().count);
  });

  it('answers getMetricsAsJSON too, and refuses to register twice on one registry, adding nothing', async () => {
    const rt = await Runtime.builder().currentThread().logger('silent').build();
    cleanup.push(() => rt.shutdown());
    const registry = new Registry();
    prometheus(rt, registry);
    const json = await registry.getMetricsAsJSON();
    const hist = json.find((x) => x.name === 'skein_poll_time_seconds')!;
    expect(hist.type).toBe('histogram');
    expect(hist.values.some((v) => v.labels.le === '+Inf')).toBe(true);
    expect(json.map((x) => x.name)).toContain('skein_alive_tasks');
    expect(() => prometheus(rt, registry)).toThrow(expect.objectContaining({ code: 'ERR_SKEIN_METRIC_REGISTERED' }));
    // A clash on one name adds none of the others.
    const other = new Registry();
    other.registerMetric(registry.getSingleMetric('skein_worker_parks_total')!);
    expect(() => prometheus(rt, other)).toThrow(/skein_worker_parks_total already on this registry/);
    expect(other.getMetricsAsArray()).toHaveLength(1);
  });
});
