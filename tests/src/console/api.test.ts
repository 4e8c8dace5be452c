import http from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { Runtime } from '@skein/core';
import {
  serveConsole,
  startFromEnv,
  type ConsoleServer,
  type RuntimeSummary,
  type Snapshot,
  type TaskDetail,
  type TaskRow,
  type WorkerRow,
} from '@skein/console';
import { napper, spinner } from './fixtures/workload.js';
import { getJson, multiThread, ticker, waitFor } from './fixtures/helpers.js';

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f();
});

async function currentThread(): Promise<Runtime> {
  const rt = await Runtime.builder().currentThread().logger('silent').build();
  cleanup.push(() => rt.shutdown());
  return rt;
}

async function serve(rt: Runtime, opts = {}): Promise<ConsoleServer> {
  const c = await serveConsole(rt, { port: 0, ...opts });
  cleanup.push(() => c.close());
  return c;
}

/** The first `event: snapshot` of /api/events. */
async function firstEvent(url: string): Promise<{ contentType: string | null; snapshot: Snapshot }> {
  const ac = new AbortController();
  const res = await fetch(new URL('api/events', url), { signal: ac.signal });
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
  let buf = '';
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) throw new Error(`stream ended before a snapshot: ${buf}`);
      buf += value;
      const m = /event: snapshot\ndata: (.*)\n\n/.exec(buf);
      if (m !== null) return { contentType: res.headers.get('content-type'), snapshot: JSON.parse(m[1]!) as Snapshot };
    }
  } finally {
    ac.abort();
  }
}

describe('@skein/console: the JSON API', () => {
  it('listens on 127.0.0.1 by default and serves the page and its assets', async () => {
    const c = await serve(await currentThread());
    expect(new URL(c.url).hostname).toBe('127.0.0.1');
    for (const [path, type] of [
      ['', 'text/html'],
      ['app.js', 'text/javascript'],
      ['style.css', 'text/css'],
    ] as const) {
      const res = await fetch(new URL(path, c.url));
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toContain(type);
      expect((await res.text()).length).toBeGreaterThan(100);
    }
    expect((await fetch(new URL('nope', c.url))).status).toBe(404);
    expect((await getJson(c.url, 'api/nope')).status).toBe(404);
    expect((await fetch(new URL('api/tasks', c.url), { method: 'POST' })).status).toBe(405);
  });

  it('on loopback, refuses requests addressed to another host name (DNS rebinding)', async () => {
    const c = await serve(await currentThread());
    const { port } = new URL(c.url);
    const status = (host: string) =>
      new Promise<number>((resolve, reject) => {
        http
          .get({ host: '127.0.0.1', port, path: '/api/runtime', headers: { host } }, (res) => {
            res.resume();
            resolve(res.statusCode!);
          })
          .on('error', reject);
      });
    expect(await status(`evil.example:${port}`)).toBe(403);
    expect(await status(`localhost:${port}`)).toBe(200);
    expect(await status(`127.0.0.1:${port}`)).toBe(200);
    expect(await status(`[::1]:${port}`)).toBe(200);
  });

  it("lists main-thread tasks with Tokio console's columns, empty where tracking is off", async () => {
    const rt = await currentThread();
    const h = ticker(rt, 'heartbeat');
    const anon = rt.spawnLocal(async function namedByFunction() {
      await new Promise(() => {});
    });
    const c = await serve(rt);
    const { status, body } = await getJson<TaskRow[]>(c.url, 'api/tasks');
    expect(status).toBe(200);
    const row = body.find((t) => t.id === h.id)!;
    expect(row).toEqual({
      id: h.id,
      name: 'heartbeat',
      state: row.state,
      thread: 'main',
      polls: 0,
      totalMs: 0,
      busyMs: 0,
      scheduledMs: 0,
      idleMs: 0,
      spawnSite: '',
      waitingOn: '',
      holding: [],
      waitingOnResource: '',
      stuck: '',
      longestPollMs: 0,
      tracked: false,
    });
    expect(['queued', 'running']).toContain(row.state);
    expect(body.find((t) => t.id === anon.id)?.name).toBe('namedByFunction');

    const detail = await getJson<TaskDetail>(c.url, `api/tasks/${h.id}`);
    expect(detail.status).toBe(200);
    expect(detail.body.task.name).toBe('heartbeat');
    expect(detail.body.pollTimes).toBeNull();
    const missing = await getJson<{ error: string }>(c.url, 'api/tasks/999999');
    expect(missing.status).toBe(404);
    expect(missing.body.error).toMatch(/no live task/);
    expect((await getJson(c.url, 'api/warnings')).body).toEqual([]);
    expect((await getJson(c.url, 'api/resources')).body).toEqual([]);
  });

  it('reports the current-thread runtime and its one worker, the main thread', async () => {
    const rt = await currentThread();
    ticker(rt, 'heartbeat', 5);
    await waitFor(() => rt.metrics().worker(0).pollCount >= 5, 10_000, 'polls');
    const c = await serve(rt);
    const workers = (await getJson<WorkerRow[]>(c.url, 'api/workers')).body;
    expect(workers).toHaveLength(1);
    expect(workers[0]!.thread).toBe('main');
    expect(workers[0]!.pollCount).toBeGreaterThanOrEqual(5);
    expect(workers[0]!.eventLoopUtilization).toBeGreaterThanOrEqual(0);
    const runtime = (await getJson<RuntimeSummary>(c.url, 'api/runtime')).body;
    expect(runtime.flavor).toBe('current_thread');
    expect(runtime.numWorkers).toBe(1);
    expect(runtime.aliveTasks).toBe(1);
    expect(runtime.pollTimes.count).toBeGreaterThanOrEqual(5);
    // The histogram's bars hold every poll, the last one open-ended (null: +Inf).
    expect(runtime.pollTimeBuckets.reduce((n, b) => n + b.count, 0)).toBe(runtime.pollTimes.count);
    expect(runtime.pollTimeBuckets.at(-1)!.leUs).toBeNull();
  });

  it('lists the workers of a multi-thread runtime and the tasks on them', async () => {
    const rt = await multiThread(2);
    cleanup.push(() => rt.shutdown());
    const hs = Array.from({ length: 4 }, () => rt.spawn(napper, 60_000));
    const c = await serve(rt);
    await waitFor(
      // A spawn waits on the main thread ('main', queued) until a worker claims it.
      async () =>
        (await getJson<TaskRow[]>(c.url, 'api/tasks')).body.filter((t) => t.name === 'napper' && t.thread !== 'main')
          .length === 4,
      10_000,
      'four nappers listed on workers',
    );
    const tasks = (await getJson<TaskRow[]>(c.url, 'api/tasks')).body.filter((t) => t.name === 'napper');
    expect(tasks.map((t) => t.id).sort()).toEqual(hs.map((h) => h.id).sort());
    for (const t of tasks) expect([0, 1]).toContain(t.thread);
    const workers = (await getJson<WorkerRow[]>(c.url, 'api/workers')).body;
    expect(workers.map((w) => w.thread)).toEqual([0, 1]);
    for (const w of workers) {
      expect(Object.keys(w)).toEqual(
        expect.arrayContaining([
          'pollCount',
          'stealCount',
          'parkCount',
          'busyMs',
          'localQueueDepth',
          'busyRatio',
          'eventLoopUtilization',
        ]),
      );
      expect(w.busyRatio).toBeGreaterThanOrEqual(0);
      expect(w.busyRatio).toBeLessThanOrEqual(1);
    }
    expect((await getJson<RuntimeSummary>(c.url, 'api/runtime')).body.flavor).toBe('multi_thread');
  });

  it("shows each worker's event-loop utilisation, from what the worker publishes", async () => {
    const rt = await multiThread(2);
    cleanup.push(() => rt.shutdown());
    const c = await serve(rt, { intervalMs: 50 });
    const spinning = rt.spawn(spinner, 1_000_000, 5);
    let seen: WorkerRow[] = [];
    await waitFor(
      async () => {
        seen = (await getJson<WorkerRow[]>(c.url, 'api/workers')).body;
        return seen.some((w) => w.eventLoopUtilization > 0.5);
      },
      10_000,
      'a busy worker event loop',
    );
    for (const w of seen) {
      expect(w.eventLoopUtilization).toBeGreaterThanOrEqual(0);
      expect(w.eventLoopUtilization).toBeLessThanOrEqual(1);
    }
    const m = rt.metrics();
    expect(m.worker(0).eventLoopActiveMs + m.worker(1).eventLoopActiveMs).toBeGreaterThan(0);
    spinning.abort();
    await spinning.catch(() => undefined);
  });

  it('streams snapshots as server-sent events', async () => {
    const rt = await currentThread();
    const h = ticker(rt, 'streamed');
    const c = await serve(rt, { intervalMs: 50 });
    const { contentType, snapshot } = await firstEvent(c.url);
    expect(contentType).toContain('text/event-stream');
    expect(snapshot.tasks.find((t) => t.id === h.id)?.name).toBe('streamed');
    expect(snapshot.workers).toHaveLength(1);
    expect(snapshot.runtime.flavor).toBe('current_thread');
    expect(snapshot.warnings).toEqual([]);
  });

  it('shows no tasks once the runtime is shut down', async () => {
    const rt = await currentThread();
    ticker(rt, 'doomed');
    const c = await serve(rt);
    await rt.shutdown();
    expect((await getJson(c.url, 'api/tasks')).body).toEqual([]);
  });

  it('stops serving on close(), ending open event streams', async () => {
    const rt = await currentThread();
    const c = await serveConsole(rt, { port: 0, intervalMs: 50 });
    const res = await fetch(new URL('api/events', c.url));
    const reader = res.body!.getReader();
    await reader.read();
    await c.close();
    // The stream ends rather than hanging.
    for (let r = await reader.read(); !r.done; r = await reader.read());
    await expect(fetch(c.url)).rejects.toThrow();
    await c.close();
  });

  it('rejects invalid options with coded argument errors', async () => {
    const rt = await currentThread();
    await expect(serveConsole(rt, { port: 70_000 })).rejects.toMatchObject({
      name: 'RangeError',
      code: 'ERR_OUT_OF_RANGE',
    });
    await expect(serveConsole(rt, { port: 1.5 })).rejects.toMatchObject({
      name: 'RangeError',
      code: 'ERR_OUT_OF_RANGE',
    });
    await expect(serveConsole(rt, { port: '80' as unknown as number })).rejects.toMatchObject({
      name: 'TypeError',
      code: 'ERR_INVALID_ARG_TYPE',
    });
    await expect(serveConsole(rt, { port: 0, intervalMs: 0 })).rejects.toMatchObject({ name: 'RangeError' });
  });

  it('fails with the listen error when the port is taken', async () => {
    const rt = await currentThread();
    const c = await serve(rt);
    await expect(serveConsole(rt, { port: Number(new URL(c.url).port) })).rejects.toMatchObject({ code: 'EADDRINUSE' });
  });

  it("startFromEnv serves on SKEIN_CONSOLE's port, and does nothing without it", async () => {
    const rt = await currentThread();
    expect(await startFromEnv(rt, {})).toBeUndefined();
    expect(await startFromEnv(rt, { SKEIN_CONSOLE: '' })).toBeUndefined();
    const c = (await startFromEnv(rt, { SKEIN_CONSOLE: '0' }))!;
    cleanup.push(() => c.close());
    expect(new URL(c.url).hostname).toBe('127.0.0.1');
    expect((await getJson(c.url, 'api/runtime')).status).toBe(200);
    await expect(startFromEnv(rt, { SKEIN_CONSOLE: 'yes' })).rejects.toMatchObject({
      name: 'RangeError',
      code: 'ERR_SKEIN_INVALID_ENV',
    });
    await expect(startFromEnv(rt, { SKEIN_CONSOLE: '99999' })).rejects.toMatchObject({ code: 'ERR_SKEIN_INVALID_ENV' });
  });
});
