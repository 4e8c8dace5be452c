/**
 * `serve()`: Node's HTTP server (llhttp parses; keep-alive and pipelining are its) with
 * every request run as a skein task on the thread that accepted it.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { assertNumber, currentTask, Handle, typeError, type JoinHandle } from '@skein/core';
import { frames } from '@skein/core/internal';
import { completion } from '../readiness.js';
import { formatAddr, parseAddr, toSocketAddr, type ToSocketAddr } from '../socket_addr.js';
import { TcpListener } from '../tcp/tcp_listener.js';
import { DEFAULT_BODY_LIMIT } from './body_limit.js';
import { dispatch } from './dispatch.js';
import { Router } from './router.js';
import { Server } from './server.js';

/** Options of {@link serve}. */
export interface ServeOptions {
  /** pino logger for errors and the trace layer (default: the runtime's). */
  readonly logger?: Logger;
  /** Largest request body, in bytes, unless a bodyLimit layer says otherwise (default 2 MiB). */
  readonly bodyLimit?: number;
  /** Time to receive the request headers (slowloris guard; Node's default 60 000 ms). */
  readonly headersTimeout?: number;
  /** Time to receive the whole request (Node's default 300 000 ms). */
  readonly requestTimeout?: number;
  /** Idle time before a keep-alive connection closes (Node's default 5 000 ms). */
  readonly keepAliveTimeout?: number;
  /** How often header and request timeouts are checked (Node's default 30 000 ms). */
  readonly connectionsCheckingInterval?: number;
  /** Largest request head, in bytes (Node's default 16 KiB). */
  readonly maxHeaderSize?: number;
  /** With an address: the accept backlog. */
  readonly backlog?: number;
  /** With an address: SO_REUSEPORT (Linux, Node >= 22.12). */
  readonly reusePort?: boolean;
}

/**
 * Serve `router` on `listenerOrAddr` (a bound TcpListener, or an address to bind). Must be
 * called inside a runtime. Each request runs as a task: `currentTask()` works in handlers,
 * `ctx.signal` and the task abort when the client disconnects. The server belongs to the
 * calling task: aborting that task (or shutting the runtime down) closes it at once.
 *
 * Errors: `EADDRINUSE` and other system errors from binding; TypeError / RangeError for
 * bad arguments; NoRuntimeError outside a runtime.
 */
export async function serve<S>(listenerOrAddr: TcpListener | ToSocketAddr, router: Router<S>, opts: ServeOptions = {}): Promise<Server> {
  if (!(router instanceof Router)) throw typeError('serve() takes a Router as its second argument');
  for (const k of ['bodyLimit', 'headersTimeout', 'requestTimeout', 'keepAliveTimeout', 'connectionsCheckingInterval', 'maxHeaderSize', 'backlog'] as const) {
    if (opts[k] !== undefined) assertNumber(opts[k], k, k === 'connectionsCheckingInterval' ? 1 : 0);
  }
  const handle = Handle.current();
  const log = opts.logger ?? frames.getStore()!.task!.runtime.logger;
  const http = createServer({
    headersTimeout: opts.headersTimeout,
    requestTimeout: opts.requestTimeout,
    keepAliveTimeout: opts.keepAliveTimeout,
    connectionsCheckingInterval: opts.connectionsCheckingInterval,
    maxHeaderSize: opts.maxHeaderSize,
  });
  await listen(http, listenerOrAddr, opts);
  const addr = toSocketAddr(http.address() as import('node:net').AddressInfo);
  const inflight = new Set<JoinHandle<void>>();
  const server = new Server(http, addr, inflight);
  const cfg = {
    router: router as Router<unknown>,
    log,
    bodyLimit: opts.bodyLimit ?? DEFAULT_BODY_LIMIT,
    host: formatAddr(addr),
    closing: () => server.closing,
  };
  http.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const h = handle.spawn(() => dispatch(cfg, req, res));
    inflight.add(h);
    const done = (): void => server.requestDone(h);
    h.then(done, done);
    res.once('close', () => {
      if (!res.writableFinished) h.abort();
    });
  });
  const owner = currentTask()?.signal;
  if (owner !== undefined) {
    const onAbort = (): void => { void server.shutdown({ timeoutMs: 0 }); };
    owner.addEventListener('abort', onAbort, { once: true });
    void server.closed.then(() => owner.removeEventListener('abort', onAbort));
  }
  return server;
}

async function listen(http: ReturnType<typeof createServer>, target: TcpListener | ToSocketAddr, opts: ServeOptions): Promise<void> {
  const done = completion<void>(() => http.close());
  const onError = (err: Error): void => done.fail(err);
  http.once('error', onError);
  if (target instanceof TcpListener) {
    // The listening socket moves to the HTTP server; connections the listener had queued
    // but not accepted are handed over too.
    const { server, pending } = target.transfer();
    http.listen(server, () => {
      for (const s of pending) {
        http.emit('connection', s);
        s.resume();
      }
      done.done(undefined);
    });
  } else {
    const { host, port } = parseAddr(target);
    http.listen({ host, port, backlog: opts.backlog, reusePort: opts.reusePort }, () => done.done(undefined));
  }
  try {
    await done.promise;
  } finally {
    http.off('error', onError);
  }
}
