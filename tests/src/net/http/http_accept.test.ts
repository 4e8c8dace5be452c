import { describe, it, expect } from 'vitest';
import { get } from 'node:http';
import { createServer } from 'node:net';
import { threadId } from 'node:worker_threads';
import { Runtime, spawn } from '@skein/core';
import { AcceptModeUnsupportedError, availableAcceptModes, Router, serve } from '@skein/net';
import { brokenApp, threadsApp } from '../fixtures/apps.js';
import { rejection, withRuntime } from '../helpers.js';

async function onWorkers<T>(n: number, fn: () => Promise<T>): Promise<T> {
  const rt = await Runtime.builder().multiThread().workerThreads(n).logger('silent').build();
  try {
    return await rt.blockOn(fn);
  } finally {
    await rt.shutdown();
  }
}

/** GET on a fresh connection (no keep-alive pool), so each request is a new accept. */
function getJson(url: string): Promise<{ thread: number }> {
  return new Promise((resolve, reject) => {
    get(url, { agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => {
        body += c;
      });
      res.on('end', () => resolve(JSON.parse(body) as { thread: number }));
    }).on('error', reject);
  });
}

function refused(url: string): Promise<unknown> {
  return rejection(getJson(url));
}

const modes = [{ accept: 'workers' as const }, { accept: 'handoff' as const }].map((m) => ({
  ...m,
  available: availableAcceptModes().includes(m.accept),
}));

it('serve(addr, routerFactory) on the multi-thread flavour picks the best accept mode available', async () => {
  if (process.platform === 'linux') expect(availableAcceptModes()[0]).toBe('workers');
  await onWorkers(2, async () => {
    const server = await serve('127.0.0.1:0', threadsApp);
    expect(server.accept).toBe(availableAcceptModes()[0]);
    await server.shutdown();
  });
});

describe.each(modes)(
  'serve(addr, routerFactory, { accept: $accept }): the workers serve connections',
  ({ accept, available }) => {
    it.runIf(available)('connections land on every worker, none on the main thread', async () => {
      await onWorkers(2, async () => {
        const server = await serve('127.0.0.1:0', threadsApp, { accept });
        expect(server.accept).toBe(accept);
        expect(server.addr.port).toBeGreaterThan(0);
        const threads = new Set<number>();
        for (let i = 0; i < 60; i++) threads.add((await getJson(`${server.url}/thread`)).thread);
        expect(threads.has(threadId)).toBe(false);
        expect(threads.size).toBe(2);
        await server.shutdown();
        expect(await refused(`${server.url}/thread`)).toMatchObject({ code: 'ECONNREFUSED' });
      });
    });

    it.runIf(available)('graceful shutdown lets in-flight requests on the workers finish', async () => {
      await onWorkers(2, async () => {
        const server = await serve('127.0.0.1:0', threadsApp, { accept });
        const inflight = getJson(`${server.url}/slow/300`);
        // The request is in flight once some worker has accepted it: a second one proves the
        // listeners are up and answering.
        await getJson(`${server.url}/thread`);
        await new Promise((r) => setTimeout(r, 50));
        await server.shutdown();
        expect(await inflight).toMatchObject({ slept: true });
        await server.closed;
      });
    });

    it.runIf(available)('aborting the task that called serve() closes the server', async () => {
      await onWorkers(2, async () => {
        let url = '';
        const owner = spawn(async () => {
          const server = await serve('127.0.0.1:0', threadsApp, { accept });
          url = server.url;
          await server.closed;
        });
        while (url === '') await new Promise((r) => setTimeout(r, 5));
        await getJson(`${url}/thread`);
        owner.abort();
        await rejection(owner);
        // While the workers close one by one, a connection the kernel had queued on a socket
        // that then closes is reset (SO_REUSEPORT): wait for the refusal.
        let err: { code?: string } | undefined;
        for (let i = 0; i < 100 && err?.code !== 'ECONNREFUSED'; i++) {
          err = await getJson(`${url}/thread`).then(
            () => undefined,
            (e: unknown) => e as { code?: string },
          );
          if (err?.code !== 'ECONNREFUSED') await new Promise((r) => setTimeout(r, 10));
        }
        expect(err).toMatchObject({ code: 'ECONNREFUSED' });
      });
    });

    it.runIf(available)('a port in use rejects with EADDRINUSE; a failing factory rejects with its error', async () => {
      const taken = createServer();
      await new Promise<void>((r) => taken.listen(0, '127.0.0.1', r));
      const port = (taken.address() as { port: number }).port;
      try {
        await onWorkers(2, async () => {
          expect(await rejection(serve({ host: '127.0.0.1', port }, threadsApp, { accept }))).toMatchObject({
            code: 'EADDRINUSE',
          });
          expect(await rejection(serve('127.0.0.1:0', brokenApp, { accept }))).toMatchObject({
            message: 'broken app factory',
          });
        });
      } finally {
        taken.close();
      }
    });

    it.skipIf(available)('is refused where Node cannot do it', async () => {
      await onWorkers(2, async () => {
        expect(await rejection(serve('127.0.0.1:0', threadsApp, { accept }))).toMatchObject({
          code: 'ERR_SKEIN_ACCEPT_MODE_UNSUPPORTED',
        });
      });
    });
  },
);

describe('serve(addr, routerFactory) where the workers do not accept', () => {
  it("accept: 'main' builds the factory's router on the main thread and serves it there", async () => {
    await onWorkers(2, async () => {
      const server = await serve('127.0.0.1:0', threadsApp, { accept: 'main' });
      expect(server.accept).toBe('main');
      expect((await getJson(`${server.url}/thread`)).thread).toBe(threadId);
      await server.shutdown();
    });
  });

  it("current-thread serves a factory on the main thread; accept: 'workers' there, or with closures, throws", async () => {
    await withRuntime(async () => {
      const server = await serve('127.0.0.1:0', threadsApp);
      expect(server.accept).toBe('main');
      expect((await getJson(`${server.url}/thread`)).thread).toBe(threadId);
      await server.shutdown();
      const err = await rejection(serve('127.0.0.1:0', threadsApp, { accept: 'workers' }));
      expect(err).toBeInstanceOf(AcceptModeUnsupportedError);
      expect(err).toMatchObject({ code: 'ERR_SKEIN_ACCEPT_MODE_UNSUPPORTED' });
    });
    await onWorkers(1, async () => {
      const err = await rejection(
        serve(
          '127.0.0.1:0',
          new Router().get('/', () => 'x'),
          { accept: 'workers' },
        ),
      );
      expect(err).toBeInstanceOf(TypeError);
    });
  });
});
