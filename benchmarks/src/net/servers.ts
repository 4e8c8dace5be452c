/**
 * The HTTP and TCP servers the net suite loads, one per child process so each has a core
 * of its own and nothing else in its heap:
 *
 *   node --import tsx servers.ts <kind>
 *
 * It prints one JSON line `{ "port": n }` once listening, and serves until killed.
 */
import { createServer } from 'node:http';
import { createServer as createTcpServer, type AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { Runtime, RwLock, sleep } from '@skein/core';
import { Router, serve, TcpListener, type RouterFactory, type ServeOptions, type TcpStream } from '@skein/net';
import { fibApp, fibHandler, helloApp } from './handlers.js';

const kind = process.argv[2] ?? '';
const FIB_N_DEFAULT = 25;
const hello = { hello: 'world' };
const users = new Map([
  [1, { id: 1, name: 'Alice' }],
  [2, { id: 2, name: 'Bob' }],
]);

function heapUsed(): { heap: number } {
  for (let i = 0; i < 3; i++) (globalThis as { gc?: () => void }).gc?.();
  return { heap: process.memoryUsage().heapUsed };
}

function ready(port: number): void {
  console.log(JSON.stringify({ port }));
}

async function onRuntime(multi: boolean, fn: () => Promise<void>): Promise<void> {
  const b = Runtime.builder().logger('silent');
  const rt = await (multi ? b.multiThread().workerThreads(2) : b).build();
  await rt.blockOn(fn);
}

async function skeinHttp<S>(
  app: Router<S> | RouterFactory<S>,
  multi: boolean,
  opts: ServeOptions = { accept: 'main' },
): Promise<void> {
  await onRuntime(multi, async () => {
    const server = await serve({ host: '127.0.0.1', port: 0 }, app, opts);
    ready(server.addr.port);
    await server.closed;
  });
}

function nodeHttp(handler: Parameters<typeof createServer>[1]): void {
  const s = createServer(handler!);
  s.listen(0, '127.0.0.1', () => ready((s.address() as AddressInfo).port));
}

async function echo(stream: TcpStream): Promise<void> {
  const buf = new Uint8Array(64 * 1024);
  try {
    for (;;) {
      const n = await stream.read(buf);
      if (n === 0) break;
      await stream.writeAll(buf.subarray(0, n));
    }
  } catch {
    // The load client resets its connections once it has every byte back.
  } finally {
    stream.close();
  }
}

const kinds: Record<string, () => unknown> = {
  'hello:skein-current': () => skeinHttp(new Router().get('/', () => hello) as Router<unknown>, false),
  'hello:skein-multi': () => skeinHttp(new Router().get('/', () => hello) as Router<unknown>, true),
  'hello:skein-workers': () => skeinHttp(helloApp, true, { accept: 'workers' }),
  'hello:skein-handoff': () => skeinHttp(helloApp, true, { accept: 'handoff' }),
  'hello:node-http': () =>
    nodeHttp((_req, res) => {
      const body = JSON.stringify(hello);
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }).end(body);
    }),
  'hello:fastify': async () => {
    const { default: Fastify } = await import('fastify');
    const app = Fastify();
    app.get('/', async () => hello);
    await app.listen({ host: '127.0.0.1', port: 0 });
    ready((app.server.address() as AddressInfo).port);
  },
  'cpu:skein-task': () => skeinHttp(new Router().get('/fib/{n}', fibHandler) as Router<unknown>, true),
  'cpu:skein-workers': () => skeinHttp(fibApp, true, { accept: 'workers' }),
  'cpu:node-piscina': async () => {
    const { Piscina } = await import('piscina');
    const pool = new Piscina({
      filename: fileURLToPath(new URL('../peers/piscina_worker.mjs', import.meta.url)),
      minThreads: 2,
      maxThreads: 2,
    });
    nodeHttp((req, res) => {
      const n = Number(/^\/fib\/(\d+)$/.exec(req.url ?? '')?.[1] ?? FIB_N_DEFAULT);
      void (pool.run({ op: 'fib', n }) as Promise<number>).then((v) => {
        const body = JSON.stringify({ n, fib: v });
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }).end(body);
      });
    });
  },
  'state:skein-current': () => {
    const db = new RwLock(users);
    return skeinHttp(
      new Router().get('/users/{id}', async (_req, ctx) => {
        using g = await db.read();
        await sleep(1);
        return g.value.get(Number(ctx.params.id)) ?? Response.json('User not found', { status: 404 });
      }) as Router<unknown>,
      false,
    );
  },
  'state:node-http': async () => {
    // The same logic without skein: a promise-chained read lock is what node:http users
    // write; with readers only it never blocks, so a counter stands in for it.
    let _readers = 0;
    nodeHttp((req, res) => {
      const id = Number(/^\/users\/(\d+)$/.exec(req.url ?? '')?.[1]);
      _readers++;
      setTimeout(() => {
        _readers--;
        const u = users.get(id);
        const body = JSON.stringify(u ?? 'User not found');
        res
          .writeHead(u === undefined ? 404 : 200, {
            'content-type': 'application/json',
            'content-length': Buffer.byteLength(body),
          })
          .end(body);
      }, 1);
    });
  },
  'tcp:skein': () =>
    onRuntime(false, async () => {
      const listener = await TcpListener.bind('127.0.0.1:0');
      ready(listener.localAddr().port);
      const { spawn } = await import('@skein/core');
      for await (const [stream] of listener) spawn(() => echo(stream));
    }),
  'tcp:node-net': () => {
    const s = createTcpServer((sock) => {
      sock.on('error', () => {});
      sock.pipe(sock);
    });
    s.listen(0, '127.0.0.1', () => ready((s.address() as AddressInfo).port));
  },
  // Started with --expose-gc: GET /heap collects garbage and answers the used heap.
  'idle:skein-current': () =>
    skeinHttp(new Router().get('/', () => hello).get('/heap', () => heapUsed()) as Router<unknown>, false),
  'idle:node-http': () => nodeHttp((req, res) => res.end(JSON.stringify(req.url === '/heap' ? heapUsed() : hello))),
};

const run = kinds[kind];
if (run === undefined) {
  console.error(`unknown server kind "${kind}"; one of ${Object.keys(kinds).join(', ')}`);
  process.exit(2);
}
await run();
