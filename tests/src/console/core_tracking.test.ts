import { afterEach, describe, expect, it } from 'vitest';
import { Runtime, sleep } from '@skein/core';
import { createServer, type AddressInfo } from 'node:net';
import type { ResourceRow, TaskRow } from '@skein/console';
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
    const rt = await withEnv({ SKEIN_CONSOLE: String(port), SKEIN_TRACKING: '1' }, () => Runtime.builder().currentThread().logger('silent').build());
    cleanup.push(() => rt.shutdown());
    const napper = rt.spawnLocal(async () => { await sleep(60_000); }, { name: 'napper' });
    const stuck = rt.spawnLocal(async () => { await new Promise(() => undefined); }, { name: 'stuck' });
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
});
