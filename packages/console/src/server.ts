/**
 * The console's HTTP server (node:http): the static page, JSON under /api/, and the live
 * feed as server-sent events.
 */
import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { assertNumber, rangeError, typeError } from '@skein/core';
import { SnapshotSource, type ConsoleRuntime, type Snapshot } from './snapshot.js';
import { SseHub } from './sse.js';

/** Options of {@link serveConsole}. */
export interface ConsoleOptions {
  /** TCP port; 0 picks a free one (see `ConsoleServer.url`). Default 6669, Tokio console's. */
  readonly port?: number;
  /** Interface to listen on. Default '127.0.0.1': the page shows task names and sites. */
  readonly host?: string;
  /** Milliseconds between live updates. Default 1000. */
  readonly intervalMs?: number;
  /** A poll longer than this is a 'long-poll' warning. Default 50, as `Builder.longPollThreshold`. */
  readonly longPollThresholdMs?: number;
  /** A task parked this long on a promise the runtime doesn't drive is 'stuck'. Default 10000. */
  readonly stuckAfterMs?: number;
}

/** A running console. */
export interface ConsoleServer {
  /** The page's address, e.g. 'http://127.0.0.1:6669/'. */
  readonly url: string;
  /** Stop serving: end the event streams and close the socket. */
  close(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

const STATIC: Readonly<Record<string, string>> = {
  '/': 'index.html',
  '/index.html': 'index.html',
  '/app.js': 'app.js',
  '/style.css': 'style.css',
};
const TYPES: Readonly<Record<string, string>> = { html: 'text/html', js: 'text/javascript', css: 'text/css' };

/**
 * Serve the live console for `runtime`: a page for a browser, the same data as JSON under
 * /api/ (runtime, tasks, tasks/:id, workers, resources, warnings, snapshot) and as
 * server-sent events at /api/events. Snapshots are only taken while someone asks: an idle
 * console costs nothing. The server doesn't keep the process alive by itself.
 *
 * Errors: RangeError / TypeError (with a `code`) for invalid options; the listen error
 * (e.g. EADDRINUSE) if the port can't be bound.
 */
export async function serveConsole(runtime: ConsoleRuntime, opts: ConsoleOptions = {}): Promise<ConsoleServer> {
  const port = opts.port ?? 6669;
  assertNumber(port, 'port', 0, true);
  if (port > 65535) throw rangeError(`The value of "port" is out of range. It must be <= 65535. Received ${port}`);
  const host = opts.host ?? '127.0.0.1';
  if (typeof host !== 'string') throw typeError('The "host" option must be a string');
  const intervalMs = opts.intervalMs ?? 1000;
  assertNumber(intervalMs, 'intervalMs', 1);
  const longPollMs = opts.longPollThresholdMs ?? 50;
  assertNumber(longPollMs, 'longPollThresholdMs', 0);
  const stuckMs = opts.stuckAfterMs ?? 10_000;
  assertNumber(stuckMs, 'stuckAfterMs', 0);

  const files = new Map<string, Buffer>();
  for (const name of new Set(Object.values(STATIC)))
    files.set(name, await readFile(new URL(`../static/${name}`, import.meta.url)));
  const source = new SnapshotSource(runtime, { longPollMs, stuckMs });
  const hub = new SseHub();
  let timer: NodeJS.Timeout | undefined;
  let ticking = false;

  const tick = async (): Promise<void> => {
    // A dump across worker threads can outlast a tick: skip rather than pile up.
    if (ticking) return;
    ticking = true;
    try {
      hub.send('snapshot', await source.take());
    } catch (err) {
      hub.send('failure', { message: String((err as Error).message ?? err) });
    } finally {
      ticking = false;
    }
  };
  const startTicking = (): void => {
    timer ??= setInterval(() => {
      if (hub.size === 0) {
        clearInterval(timer);
        timer = undefined;
      } else void tick();
    }, intervalMs).unref();
  };

  const api = async (path: string, req: IncomingMessage, res: ServerResponse): Promise<void> => {
    if (path === '/api/events') {
      hub.open(req, res);
      startTicking();
      await tick();
      return;
    }
    const snap: Snapshot = await source.take();
    const route = path.slice('/api/'.length);
    const task = /^tasks\/(\d+)$/.exec(route);
    if (task !== null) {
      const detail = source.detail(snap, Number(task[1]));
      if (detail === undefined)
        return json(res, 404, { error: `no live task ${task[1]}: finished tasks drop out of the dump` });
      return json(res, 200, detail);
    }
    const bodies: Record<string, unknown> = {
      snapshot: snap,
      runtime: snap.runtime,
      tasks: snap.tasks,
      workers: snap.workers,
      resources: snap.resources,
      warnings: snap.warnings,
    };
    if (!Object.hasOwn(bodies, route)) return json(res, 404, { error: `no such endpoint: ${path}` });
    json(res, 200, bodies[route]);
  };

  const loopback = LOOPBACK.has(host);
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://console').pathname;
    // On loopback, answer only requests addressed to loopback: a page elsewhere that
    // rebinds its own host name to 127.0.0.1 would otherwise read the console.
    if (loopback && !LOOPBACK.has(hostOf(req.headers.host))) {
      return json(res, 403, { error: 'the console answers only requests to 127.0.0.1, ::1 or localhost' });
    }
    if (req.method !== 'GET' && req.method !== 'HEAD')
      return json(res, 405, { error: 'the console is read-only: use GET' });
    if (path.startsWith('/api/')) {
      api(path, req, res).catch((err: unknown) => json(res, 500, { error: String((err as Error).message ?? err) }));
      return;
    }
    const name = STATIC[path];
    if (name === undefined) return json(res, 404, { error: `no such page: ${path}` });
    res.writeHead(200, {
      'content-type': `${TYPES[name.split('.').pop()!]}; charset=utf-8`,
      'cache-control': 'no-cache',
    });
    res.end(files.get(name));
  });
  // A diagnostic view shouldn't be what keeps a finished program running.
  server.on('connection', (socket) => socket.unref());
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  server.unref();
  const addr = server.address() as AddressInfo;
  const url = `http://${addr.family === 'IPv6' ? `[${addr.address}]` : addr.address}:${addr.port}/`;

  let closed: Promise<void> | undefined;
  const close = (): Promise<void> =>
    (closed ??= new Promise<void>((resolve) => {
      clearInterval(timer);
      timer = undefined;
      hub.close();
      server.close(() => resolve());
      server.closeAllConnections();
    }));
  return { url, close, [Symbol.asyncDispose]: close };
}

const LOOPBACK: ReadonlySet<string> = new Set(['127.0.0.1', '::1', 'localhost']);

/** The host name of a Host header, without port or IPv6 brackets. */
function hostOf(header: string | undefined): string {
  if (header === undefined) return '';
  const m = /^\[([^\]]*)\]|^([^:]*)/.exec(header);
  return (m?.[1] ?? m?.[2] ?? '').toLowerCase();
}

function json(res: ServerResponse, status: number, body: unknown): void {
  if (res.headersSent) return void res.end();
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
  res.end(JSON.stringify(body));
}
