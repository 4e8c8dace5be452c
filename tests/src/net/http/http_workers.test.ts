import { describe, it, expect } from 'vitest';
import { threadId } from 'node:worker_threads';
import { Runtime, sleep } from '@skein/core';
import { Router, serve } from '@skein/net';
import { echoHandler, failingHandler, fibHandler, stuckHandler } from '../fixtures/handlers.js';
import { rejection } from '../helpers.js';

async function onMultiThread<T>(fn: () => Promise<T>): Promise<T> {
  const rt = await Runtime.builder().multiThread().workerThreads(2).logger('silent').build();
  try {
    return await rt.blockOn(fn);
  } finally {
    await rt.shutdown();
  }
}

describe('task() handlers on the multi-thread flavour', () => {
  it('run on the workers: the request crosses as data, the response comes back', async () => {
    await onMultiThread(async () => {
      const r = new Router<unknown>()
        .get('/fib/{n}', fibHandler)
        .post('/echo', echoHandler)
        .get('/here', () => ({ thread: threadId }))
        .withState({ greeting: 'hi' });
      const server = await serve('127.0.0.1:0', r);
      const res = await fetch(`${server.url}/fib/20`);
      const body = (await res.json()) as { n: number; fib: number; thread: number };
      expect(body.fib).toBe(6765);
      expect(body.thread).not.toBe(threadId);
      const here = (await (await fetch(`${server.url}/here`)).json()) as { thread: number };
      expect(here.thread).toBe(threadId);
      const echo = await fetch(`${server.url}/echo`, { method: 'POST', body: 'payload', headers: { 'x-test': 'yes' } });
      expect(echo.status).toBe(201);
      expect(echo.headers.get('x-from')).toBe('worker');
      expect(await echo.json()).toMatchObject({
        body: 'payload',
        header: 'yes',
        method: 'POST',
        url: `${server.url}/echo`,
        isRequest: true,
        state: { greeting: 'hi' },
      });
      const many = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          fetch(`${server.url}/fib/${i}`).then((x) => x.json() as Promise<{ thread: number }>),
        ),
      );
      expect(many.every((m) => m.thread !== threadId)).toBe(true);
      await server.shutdown();
    });
  });

  it('a worker handler that throws answers 500', async () => {
    await onMultiThread(async () => {
      const server = await serve(
        '127.0.0.1:0',
        new Router().get('/', failingHandler).get('/ok', () => 'ok'),
      );
      expect((await fetch(server.url)).status).toBe(500);
      expect(await (await fetch(`${server.url}/ok`)).text()).toBe('ok');
      await server.shutdown();
    });
  });

  it('a client that goes away aborts the worker task', async () => {
    await onMultiThread(async () => {
      const flag = new Int32Array(new SharedArrayBuffer(8));
      const server = await serve('127.0.0.1:0', new Router<Int32Array>().get('/', stuckHandler).withState(flag));
      const ac = new AbortController();
      const req = fetch(server.url, { signal: ac.signal });
      while (Atomics.load(flag, 0) === 0) await sleep(5);
      expect(Atomics.load(flag, 0)).toBe(1);
      ac.abort();
      await rejection(req);
      while (Atomics.load(flag, 1) === 0) await sleep(5);
      expect(Atomics.load(flag, 1)).toBe(1);
      await server.shutdown();
    });
  });
});
