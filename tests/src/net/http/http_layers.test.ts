import { describe, it, expect } from 'vitest';
import { Cancelled, Notify, oneshot, sleep } from '@skein/core';
import { layers, Router, serve } from '@skein/net';
import { captureLogger, rawExchange, withRuntime } from '../helpers.js';

describe('layers', () => {
  it('timeout answers 408 and cancels the handler', async () => {
    await withRuntime(async () => {
      const [tx, rx] = oneshot.channel<{ err: unknown; aborted: boolean }>();
      const r = new Router()
        .get('/slow', async (_req, ctx) => {
          try {
            await sleep(60_000);
          } catch (err) {
            tx.send({ err, aborted: ctx.signal.aborted });
            throw err;
          }
        })
        .get('/fast', () => 'fast')
        .layer(layers.timeout(50));
      const server = await serve('127.0.0.1:0', r);
      expect((await fetch(`${server.url}/slow`)).status).toBe(408);
      const seen = await rx;
      expect(seen.err).toBeInstanceOf(Cancelled);
      expect(seen.aborted).toBe(true);
      expect(await (await fetch(`${server.url}/fast`)).text()).toBe('fast');
      await server.shutdown();
    });
  });

  it('concurrencyLimit queues requests beyond n; loadShed outside it answers 503 instead', async () => {
    await withRuntime(async () => {
      const started = new Notify();
      const release = new Notify();
      let running = 0;
      let maxRunning = 0;
      const hold = async (): Promise<string> => {
        running++;
        maxRunning = Math.max(maxRunning, running);
        started.notifyOne();
        await release.notified();
        running--;
        return 'done';
      };
      const queued = new Router().get('/', hold).layer(layers.concurrencyLimit(1));
      const shed = new Router().get('/', hold).layer(layers.concurrencyLimit(1)).layer(layers.loadShed());
      const app = new Router().nest('/q', queued).nest('/s', shed);
      const server = await serve('127.0.0.1:0', app);

      const a = fetch(`${server.url}/s`);
      await started.notified();
      const b = await fetch(`${server.url}/s`);
      expect(b.status).toBe(503);
      release.notifyOne();
      expect((await a).status).toBe(200);

      const c = fetch(`${server.url}/q`);
      await started.notified();
      const d = fetch(`${server.url}/q`);
      await sleep(30);
      expect(running).toBe(1);
      release.notifyOne();
      await started.notified();
      release.notifyOne();
      expect(await (await c).text()).toBe('done');
      expect(await (await d).text()).toBe('done');
      expect(maxRunning).toBe(1);
      await server.shutdown();
    });
  });

  it('loadShed({ maxInFlight }) sheds on its own count', async () => {
    await withRuntime(async () => {
      const started = new Notify();
      const release = new Notify();
      const r = new Router()
        .get('/', async () => {
          started.notifyOne();
          await release.notified();
          return 'ok';
        })
        .layer(layers.loadShed({ maxInFlight: 1 }));
      const server = await serve('127.0.0.1:0', r);
      const a = fetch(server.url);
      await started.notified();
      expect((await fetch(server.url)).status).toBe(503);
      release.notifyOne();
      expect((await a).status).toBe(200);
      await server.shutdown();
    });
  });

  it('bodies over 2 MiB answer 413 by default; bodyLimit(n) changes the limit, chunked bodies included', async () => {
    await withRuntime(async () => {
      const echo = async (req: Request): Promise<unknown> => ({ n: (await req.arrayBuffer()).byteLength });
      const small = new Router().post('/', echo).layer(layers.bodyLimit(10));
      const big = new Router().post('/', echo).layer(layers.bodyLimit(4 * 1024 * 1024));
      const app = new Router().post('/default', echo).nest('/small', small).nest('/big', big);
      const server = await serve('127.0.0.1:0', app);
      const three = new Uint8Array(3 * 1024 * 1024);
      expect((await fetch(`${server.url}/default`, { method: 'POST', body: three })).status).toBe(413);
      expect(await (await fetch(`${server.url}/big`, { method: 'POST', body: three })).json()).toEqual({
        n: three.length,
      });
      expect(await (await fetch(`${server.url}/small`, { method: 'POST', body: 'tiny' })).json()).toEqual({ n: 4 });
      expect((await fetch(`${server.url}/small`, { method: 'POST', body: 'this is too long' })).status).toBe(413);
      // Chunked: no Content-Length, the stream fails past the limit.
      const chunked = await rawExchange(
        server.addr.port,
        'POST /small HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n8\r\n12345678\r\n8\r\n12345678\r\n0\r\n\r\n',
      );
      expect(chunked.startsWith('HTTP/1.1 413')).toBe(true);
      await server.shutdown();
    });
  });

  it('requestId keeps the client id or makes one; handlers and the response see it', async () => {
    await withRuntime(async () => {
      const r = new Router().get('/', (_req, ctx) => ({ id: ctx.requestId })).layer(layers.requestId());
      const server = await serve('127.0.0.1:0', r);
      const given = await fetch(server.url, { headers: { 'x-request-id': 'abc-1' } });
      expect(given.headers.get('x-request-id')).toBe('abc-1');
      expect(await given.json()).toEqual({ id: 'abc-1' });
      const made = await fetch(server.url);
      const id = made.headers.get('x-request-id');
      expect(id).toMatch(/^[0-9a-f-]{36}$/);
      expect(await made.json()).toEqual({ id });
      await server.shutdown();
    });
  });

  it('trace logs one pino line per request, with the request id when requestId is outside it', async () => {
    await withRuntime(async () => {
      const { logger, lines } = await captureLogger('info');
      const r = new Router()
        .get('/ok', () => 'ok')
        .get('/boom', () => {
          throw new Error('x');
        })
        .layer(layers.trace())
        .layer(layers.requestId());
      const server = await serve('127.0.0.1:0', r, { logger });
      await (await fetch(`${server.url}/ok`, { headers: { 'x-request-id': 'r1' } })).text();
      await (await fetch(`${server.url}/boom`)).text();
      const reqs = lines.filter((l) => l.msg === 'request' || l.msg === 'request failed');
      expect(reqs).toHaveLength(2);
      expect(reqs[0]).toMatchObject({ method: 'GET', path: '/ok', status: 200, requestId: 'r1', level: 30 });
      expect(typeof reqs[0]!.ms).toBe('number');
      expect(reqs[1]).toMatchObject({ path: '/boom', status: 500, level: 50 });
      await server.shutdown();
    });
  });

  it('bad layer arguments throw RangeError with a code', () => {
    expect(() => layers.timeout(-1)).toThrowError(expect.objectContaining({ code: 'ERR_OUT_OF_RANGE' }) as Error);
    expect(() => layers.concurrencyLimit(0)).toThrowError(RangeError);
    expect(() => layers.bodyLimit(Number.NaN)).toThrowError(RangeError);
    expect(() => layers.loadShed({ maxInFlight: 0 })).toThrowError(RangeError);
  });
});
