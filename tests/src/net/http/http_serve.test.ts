import { describe, it, expect } from 'vitest';
import { connect as netConnect } from 'node:net';
import { once } from 'node:events';
import { Cancelled, currentTask, Notify, oneshot, Runtime, sleep, spawn } from '@skein/core';
import { Router, serve, TcpListener } from '@skein/net';
import { captureLogger, rawExchange, rejection, withRuntime } from '../helpers.js';

describe('serve: every request is a task', () => {
  it('runs each handler as its own task (currentTask works)', async () => {
    await withRuntime(async () => {
      const r = new Router().get('/', () => ({ id: currentTask()?.id }));
      const server = await serve('127.0.0.1:0', r);
      const a = (await (await fetch(server.url)).json()) as { id: number };
      const b = (await (await fetch(server.url)).json()) as { id: number };
      expect(typeof a.id).toBe('number');
      expect(b.id).not.toBe(a.id);
      await server.shutdown();
    });
  });

  it('a client that disconnects aborts the handler: ctx.signal aborts, its runtime awaits reject with Cancelled', async () => {
    await withRuntime(async () => {
      const started = new Notify();
      const [tx, rx] = oneshot.channel<{ err: unknown; aborted: boolean }>();
      const r = new Router().get('/slow', async (_req, ctx) => {
        started.notifyOne();
        try {
          await sleep(60_000);
        } catch (err) {
          tx.send({ err, aborted: ctx.signal.aborted });
          throw err;
        }
      });
      const server = await serve('127.0.0.1:0', r);
      const ac = new AbortController();
      const req = fetch(`${server.url}/slow`, { signal: ac.signal });
      await started.notified();
      ac.abort();
      await rejection(req);
      const seen = await rx;
      expect(seen.err).toBeInstanceOf(Cancelled);
      expect(seen.aborted).toBe(true);
      await server.shutdown();
    });
  });

  it('a handler that throws answers 500, is logged, and the server stays up', async () => {
    await withRuntime(async () => {
      const { logger, lines } = await captureLogger('warn');
      const r = new Router()
        .get('/boom', () => {
          throw new Error('kaboom');
        })
        .get('/ok', () => 'ok');
      const server = await serve('127.0.0.1:0', r, { logger });
      const res = await fetch(`${server.url}/boom`);
      expect(res.status).toBe(500);
      expect(
        lines.some(
          (l) =>
            l.msg === 'request handler failed; answered 500' && (l.err as { message: string }).message === 'kaboom',
        ),
      ).toBe(true);
      expect(await (await fetch(`${server.url}/ok`)).text()).toBe('ok');
      await server.shutdown();
    });
  });

  it('an answer JSON cannot encode answers 500, is logged, and the server stays up', async () => {
    await withRuntime(async () => {
      const { logger, lines } = await captureLogger('warn');
      const r = new Router().get('/big', () => ({ n: 1n })).get('/ok', () => 'ok');
      const server = await serve('127.0.0.1:0', r, { logger });
      const res = await fetch(`${server.url}/big`);
      expect(res.status).toBe(500);
      expect(lines.some((l) => l.msg === 'request layer failed; answered 500')).toBe(true);
      expect(await (await fetch(`${server.url}/ok`)).text()).toBe('ok');
      await server.shutdown();
    });
  });

  it('a malformed request answers 400 and the server stays up', async () => {
    await withRuntime(async () => {
      const server = await serve(
        '127.0.0.1:0',
        new Router().get('/', () => 'ok'),
      );
      const out = await rawExchange(server.addr.port, 'THIS IS NOT HTTP\r\n\r\n');
      expect(out.startsWith('HTTP/1.1 400')).toBe(true);
      const bad = await rawExchange(server.addr.port, 'GET /%E0%A4%A HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
      expect(bad.startsWith('HTTP/1.1 400')).toBe(true);
      expect(await (await fetch(server.url)).text()).toBe('ok');
      await server.shutdown();
    });
  });

  it('cuts off a slow client that never finishes its headers (slowloris)', async () => {
    await withRuntime(async () => {
      const server = await serve(
        '127.0.0.1:0',
        new Router().get('/', () => 'ok'),
        { headersTimeout: 200, requestTimeout: 400, connectionsCheckingInterval: 50 },
      );
      const out = await rawExchange(server.addr.port, 'GET / HTTP/1.1\r\nHost: x\r\nX-Slow: ');
      // Node answers 408 and closes; the exchange only resolves once the socket closed.
      expect(out.startsWith('HTTP/1.1 408')).toBe(true);
      await server.shutdown();
    });
  });

  it('serves on a TcpListener, including connections it had queued', async () => {
    await withRuntime(async () => {
      const listener = await TcpListener.bind('127.0.0.1:0');
      const early = netConnect(listener.localAddr().port, '127.0.0.1');
      await once(early, 'connect');
      await sleep(10);
      const server = await serve(
        listener,
        new Router().get('/', () => 'hi'),
      );
      expect(server.addr.port).toBe(listener.localAddr().port);
      early.write('GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
      let out = '';
      early.on('data', (d: Buffer) => {
        out += d.toString();
      });
      await once(early, 'close');
      expect(out).toMatch(/^HTTP\/1\.1 200[\s\S]*hi$/);
      expect(await (await fetch(server.url)).text()).toBe('hi');
      await server.shutdown();
    });
  });

  it('bad addresses and ports are TypeError / RangeError; address in use is EADDRINUSE', async () => {
    await withRuntime(async () => {
      const r = new Router();
      const e1 = (await rejection(serve({ port: 99999 }, r))) as RangeError & { code: string };
      expect(e1).toBeInstanceOf(RangeError);
      expect(e1.code).toBe('ERR_SOCKET_BAD_PORT');
      const e2 = (await rejection(serve('nonsense', r))) as TypeError & { code: string };
      expect(e2).toBeInstanceOf(TypeError);
      expect(e2.code).toBe('ERR_INVALID_ARG_VALUE');
      const e3 = (await rejection(serve('127.0.0.1:0', {} as never))) as TypeError & { code: string };
      expect(e3.code).toBe('ERR_INVALID_ARG_TYPE');
      const s = await serve('127.0.0.1:0', r);
      const e4 = (await rejection(serve(s.addr, r))) as NodeJS.ErrnoException;
      expect(e4.code).toBe('EADDRINUSE');
      await s.shutdown();
    });
  });
});

describe('serve: graceful shutdown', () => {
  it('stops accepting, lets the in-flight request finish, then resolves', async () => {
    await withRuntime(async () => {
      const started = new Notify();
      const release = new Notify();
      const r = new Router().get('/work', async () => {
        started.notifyOne();
        await release.notified();
        return 'finished';
      });
      const server = await serve('127.0.0.1:0', r);
      const inflight = fetch(`${server.url}/work`);
      await started.notified();
      let shutDown = false;
      const stopping = spawn(async () => {
        await server.shutdown();
        shutDown = true;
      });
      await sleep(20);
      const refused = (await rejection(fetch(`${server.url}/work`))) as { cause?: { code?: string } };
      expect(refused.cause?.code).toBe('ECONNREFUSED');
      expect(shutDown).toBe(false);
      release.notifyOne();
      const res = await inflight;
      expect(res.status).toBe(200);
      expect(res.headers.get('connection')).toBe('close');
      expect(await res.text()).toBe('finished');
      await stopping;
      await server.closed;
      expect(shutDown).toBe(true);
    });
  });

  it('aborts what is left after timeoutMs', async () => {
    await withRuntime(async () => {
      const started = new Notify();
      const [tx, rx] = oneshot.channel<unknown>();
      const r = new Router().get('/stuck', async () => {
        started.notifyOne();
        try {
          await sleep(60_000);
        } catch (err) {
          tx.send(err);
          throw err;
        }
      });
      const server = await serve('127.0.0.1:0', r);
      const stuck = fetch(`${server.url}/stuck`);
      await started.notified();
      await server.shutdown({ timeoutMs: 50 });
      expect(await rx).toBeInstanceOf(Cancelled);
      await rejection(stuck);
      expect(() => server.shutdown({ timeoutMs: -1 })).toThrowError(RangeError);
    });
  });

  it('a server whose runtime has shut down answers 503 and closes the connection (no task can run)', async () => {
    const rt = await Runtime.builder().build();
    const server = await rt.blockOn(() =>
      serve(
        '127.0.0.1:0',
        new Router().get('/', () => 'x'),
      ),
    );
    expect(await (await fetch(server.url)).text()).toBe('x');
    await rt.shutdown();
    const res = await fetch(server.url);
    expect(res.status).toBe(503);
    expect(res.headers.get('connection')).toBe('close');
    await server.shutdown();
  });

  it('aborting the task that called serve() closes the server', async () => {
    await withRuntime(async () => {
      const [tx, rx] = oneshot.channel<string>();
      const owner = spawn(async () => {
        const server = await serve(
          '127.0.0.1:0',
          new Router().get('/', () => 'x'),
        );
        tx.send(server.url);
        await server.closed;
      });
      const url = await rx;
      expect(await (await fetch(url)).text()).toBe('x');
      owner.abort();
      await rejection(owner);
      let err: unknown;
      for (let i = 0; i < 50 && err === undefined; i++) {
        err = await fetch(url).then(
          () => undefined,
          (e: unknown) => e,
        );
        if (err === undefined) await sleep(10);
      }
      expect((err as { cause?: { code?: string } }).cause?.code).toBe('ECONNREFUSED');
    });
  });
});
