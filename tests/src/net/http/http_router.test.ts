import { describe, it, expect } from 'vitest';
import { Router, serve } from '@skein/net';
import { rawExchange, withRuntime } from '../helpers.js';

type Users = Map<number, { id: number; name: string }>;

function app(): Router<{ users: Users }> {
  const api = new Router<{ users: Users }>()
    .get('/users/{id}', (_req, ctx) => {
      const u = ctx.state.users.get(Number(ctx.params.id));
      return u ?? new Response('no such user', { status: 404 });
    })
    .post('/users', async (req, ctx) => {
      const body = (await req.json()) as { name: string };
      const id = ctx.state.users.size + 1;
      const user = { id, name: body.name };
      ctx.state.users.set(id, user);
      return Response.json(user, { status: 201 });
    })
    .fallback(() => new Response('api: not here', { status: 404 }));
  return new Router<{ users: Users }>()
    .get('/', () => 'hello')
    .get('/bytes', () => new Uint8Array([1, 2, 3]))
    .get('/empty', () => undefined)
    .get('/headers', () => new Response('x', { status: 202, headers: { 'x-a': '1', 'set-cookie': 'a=1' } }))
    .get('/files/{*rest}', (_req, ctx) => ({ rest: ctx.params.rest }))
    .get('/p/me', () => 'literal')
    .get('/p/{name}', (_req, ctx) => `param ${ctx.params.name}`)
    .get('/query', (req) => Object.fromEntries(new URL(req.url).searchParams))
    .all('/any', (req) => req.method)
    .nest('/api', api)
    .withState({ users: new Map([[1, { id: 1, name: 'ada' }]]) });
}

describe('Router and serve', () => {
  it('routes by method and path, with params, JSON, text, bytes and Responses', async () => {
    await withRuntime(async () => {
      const server = await serve('127.0.0.1:0', app());
      const base = server.url;
      const hello = await fetch(`${base}/`);
      expect(hello.status).toBe(200);
      expect(hello.headers.get('content-type')).toBe('text/plain; charset=utf-8');
      expect(await hello.text()).toBe('hello');
      const bytes = await fetch(`${base}/bytes`);
      expect(bytes.headers.get('content-type')).toBe('application/octet-stream');
      expect(Array.from(new Uint8Array(await bytes.arrayBuffer()))).toEqual([1, 2, 3]);
      const empty = await fetch(`${base}/empty`);
      expect(empty.status).toBe(200);
      expect(await empty.text()).toBe('');
      const h = await fetch(`${base}/headers`);
      expect(h.status).toBe(202);
      expect(h.headers.get('x-a')).toBe('1');
      expect(h.headers.getSetCookie()).toEqual(['a=1']);
      expect(await (await fetch(`${base}/api/users/1`)).json()).toEqual({ id: 1, name: 'ada' });
      expect((await fetch(`${base}/api/users/9`)).status).toBe(404);
      const created = await fetch(`${base}/api/users`, {
        method: 'POST',
        body: JSON.stringify({ name: 'grace' }),
        headers: { 'content-type': 'application/json' },
      });
      expect(created.status).toBe(201);
      expect(await created.json()).toEqual({ id: 2, name: 'grace' });
      expect(await (await fetch(`${base}/api/users/2`)).json()).toEqual({ id: 2, name: 'grace' });
      expect(await (await fetch(`${base}/files/a/b%20c/d.txt`)).json()).toEqual({ rest: 'a/b c/d.txt' });
      expect((await fetch(`${base}/files`)).status).toBe(404);
      expect(await (await fetch(`${base}/p/me`)).text()).toBe('literal');
      expect(await (await fetch(`${base}/p/you`)).text()).toBe('param you');
      expect(await (await fetch(`${base}/query?a=1&b=x`)).json()).toEqual({ a: '1', b: 'x' });
      expect(await (await fetch(`${base}/any`, { method: 'PUT' })).text()).toBe('PUT');
      await server.shutdown();
    });
  });

  it('answers 405 with Allow, 404 by default, a nested fallback under its prefix, and HEAD as GET', async () => {
    await withRuntime(async () => {
      const server = await serve('127.0.0.1:0', app());
      const base = server.url;
      const r405 = await fetch(`${base}/api/users`, { method: 'GET' });
      expect(r405.status).toBe(405);
      expect(r405.headers.get('allow')).toBe('POST');
      const r404 = await fetch(`${base}/nope`);
      expect(r404.status).toBe(404);
      expect(await r404.text()).toBe('');
      const nested = await fetch(`${base}/api/nope`);
      expect(nested.status).toBe(404);
      expect(await nested.text()).toBe('api: not here');
      const head = await fetch(`${base}/`, { method: 'HEAD' });
      expect(head.status).toBe(200);
      expect(await head.text()).toBe('');
      await server.shutdown();
    });
  });

  it('a router fallback answers every unmatched path', async () => {
    await withRuntime(async () => {
      const r = new Router()
        .get('/a', () => 'a')
        .fallback((req) => new Response(`fallback ${new URL(req.url).pathname}`, { status: 404 }));
      const server = await serve('127.0.0.1:0', r);
      const res = await fetch(`${server.url}/x/y`);
      expect(res.status).toBe(404);
      expect(await res.text()).toBe('fallback /x/y');
      await server.shutdown();
    });
  });

  it('keeps connections alive and answers pipelined requests in order', async () => {
    await withRuntime(async () => {
      const r = new Router().get('/n/{n}', (_req, ctx) => `n=${ctx.params.n}`);
      const server = await serve('127.0.0.1:0', r);
      const out = await rawExchange(
        server.addr.port,
        'GET /n/1 HTTP/1.1\r\nHost: x\r\n\r\nGET /n/2 HTTP/1.1\r\nHost: x\r\n\r\nGET /n/3 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n',
      );
      const bodies = [...out.matchAll(/n=(\d)/g)].map((m) => m[1]);
      expect(bodies).toEqual(['1', '2', '3']);
      expect(out.match(/HTTP\/1\.1 200/g)).toHaveLength(3);
      await server.shutdown();
    });
  });

  it('handlers get a WHATWG Request: instanceof, method, url, headers, body, clone', async () => {
    await withRuntime(async () => {
      const r = new Router().post('/r', async (req) => ({
        isRequest: req instanceof Request,
        method: req.method,
        path: new URL(req.url).pathname,
        header: req.headers.get('x-a'),
        cloned: await req.clone().text(),
        body: await req.text(),
        used: req.bodyUsed,
      }));
      const server = await serve('127.0.0.1:0', r);
      const res = await fetch(`${server.url}/r`, { method: 'POST', body: 'data', headers: { 'x-a': 'b' } });
      expect(await res.json()).toEqual({
        isRequest: true,
        method: 'POST',
        path: '/r',
        header: 'b',
        cloned: 'data',
        body: 'data',
        used: true,
      });
      await server.shutdown();
    });
  });

  it('rejects bad route definitions with TypeError codes', () => {
    const r = new Router().get('/a', () => 1);
    expect(() => r.get('/a', () => 2)).toThrowError(
      expect.objectContaining({ code: 'ERR_INVALID_ARG_VALUE' }) as Error,
    );
    expect(() => r.get('nope', () => 2)).toThrowError(TypeError);
    expect(() => r.get('/x/{*rest}/y', () => 2)).toThrowError(TypeError);
    expect(() => r.get('/x/a{b}', () => 2)).toThrowError(TypeError);
    expect(() => r.get('/y', 'nope' as never)).toThrowError(
      expect.objectContaining({ code: 'ERR_INVALID_ARG_TYPE' }) as Error,
    );
  });
});
