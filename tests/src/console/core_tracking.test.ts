import { afterEach, describe, expect, it } from 'vitest';
import { Mutex, Runtime, sleep, type MutexGuard } from '@skein/core';
import { createServer, type AddressInfo } from 'node:net';
import { serveConsole, type ResourceRow, type TaskDetail, type TaskRow, type Warning } from '@skein/console';
import { getJson, waitFor } from './fixtures/helpers.js';

// The console over a runtime that tracks its own tasks (core's Builder.taskTracking), with
// the console started the way SKEIN_CONSOLE starts it: from build().

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f();
});

async function withEnv<T>(vars: Record<string, string>, f: () => Promise<T>): Promise<T> {
  const before = Object.fromEntries(Object.keys(vars).map((k) => [k, process.env[k]]));
  Object.assign(process.env, vars);
  try {
    return await f();
  } finally {
    for (const [k, v] of Object.entries(before)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}

async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as AddressInfo).port;
  await new Promise((r) => srv.close(r));
  return port;
}

describe('@skein/console on core task tracking', () => {
  it('SKEIN_CONSOLE starts it from build(), showing the tracked fields core records', async () => {
    const port = await freePort();
    const rt = await withEnv({ SKEIN_CONSOLE: String(port), SKEIN_TRACKING: '1' }, () =>
      Runtime.builder().currentThread().logger('silent').build(),
    );
    cleanup.push(() => rt.shutdown());
    const napper = rt.spawnLocal(
      async () => {
        await sleep(60_000);
      },
      { name: 'napper' },
    );
    const stuck = rt.spawnLocal(
      async () => {
        await new Promise(() => undefined);
      },
      { name: 'stuck' },
    );
    const base = `http://127.0.0.1:${port}/`;
    let rows: TaskRow[] = [];
    await waitFor(async () => {
      rows = (await getJson<TaskRow[]>(base, 'api/tasks')).body;
      return rows.filter((r) => r.state === 'idle').length === 2;
    });
    const nap = rows.find((r) => r.name === 'napper')!;
    expect(nap).toMatchObject({ tracked: true, thread: 'main', polls: 1 });
    expect(nap.spawnSite).toMatch(/^tests\/src\/console\/core_tracking\.test\.ts:\d+$/);
    expect(nap.waitingOn).toMatch(/^sleep at tests\/src\/console\/core_tracking\.test\.ts:\d+$/);
    expect(rows.find((r) => r.name === 'stuck')!.waitingOn).toBe('foreign promise');
    // A foreign promise is not a resource.
    const resources = (await getJson<ResourceRow[]>(base, 'api/resources')).body;
    expect(resources.map((r) => r.name)).toEqual(['sleep']);
    napper.abort();
    stuck.abort();
  });

  it('shows who holds a lock and who waits on it, a stuck waiter, and per-task poll times', async () => {
    const rt = await Runtime.builder().currentThread().logger('silent').taskTracking(true).stuckThreshold(20).build();
    cleanup.push(() => rt.shutdown());
    const c = await serveConsole(rt, { port: 0 });
    cleanup.push(() => c.close());
    const busy = new Mutex(0);
    const leaked = new Mutex(0);
    let leakedGuard: MutexGuard<number> | undefined;
    const holderTask = rt.spawnLocal(
      async () => {
        using _g = await busy.lock();
        await sleep(60_000);
      },
      { name: 'holder' },
    );
    await rt.spawnLocal(
      async () => {
        leakedGuard = await leaked.lock();
      },
      { name: 'leaker' },
    );
    const waiterTask = rt.spawnLocal(
      async () => {
        (await busy.lock()).release();
      },
      { name: 'waiter' },
    );
    const blockedTask = rt.spawnLocal(
      async () => {
        (await leaked.lock()).release();
      },
      { name: 'blocked' },
    );
    let warnings: Warning[] = [];
    await waitFor(async () => {
      warnings = (await getJson<Warning[]>(c.url, 'api/warnings')).body;
      return warnings.some((w) => w.kind === 'stuck');
    });
    const rows = (await getJson<TaskRow[]>(c.url, 'api/tasks')).body;
    const id = (name: string) => rows.find((r) => r.name === name)!.id;
    expect(warnings.filter((w) => w.kind === 'stuck')).toEqual([
      {
        taskId: id('blocked'),
        kind: 'stuck',
        message: expect.stringMatching(/held by task \d+ \(leaker\), which finished without releasing it/) as string,
      },
    ]);
    const resources = (await getJson<ResourceRow[]>(c.url, 'api/resources')).body;
    const locks = resources.filter((r) => r.kind === 'lock');
    expect(locks).toEqual([
      {
        kind: 'lock',
        name: expect.stringMatching(/^Mutex#\d+$/) as string,
        thread: 'main',
        holders: [id('holder')],
        waiters: [id('waiter')],
      },
      // The leaker finished: it drops out of the dump, so nobody live holds the lock.
      {
        kind: 'lock',
        name: expect.stringMatching(/^Mutex#\d+$/) as string,
        thread: 'main',
        holders: [],
        waiters: [id('blocked')],
      },
    ]);
    const detail = (await getJson<TaskDetail>(c.url, `api/tasks/${id('holder')}`)).body;
    expect(detail.pollTimes?.count).toBe(detail.task.polls);
    expect(detail.pollTimeBuckets.reduce((n, b) => n + b.count, 0)).toBe(detail.task.polls);
    leakedGuard!.release();
    await blockedTask;
    holderTask.abort();
    waiterTask.abort();
  });
});
