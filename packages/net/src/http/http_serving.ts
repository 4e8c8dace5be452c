/**
 * One `node:http` server serving a router on this thread: each request a task spawned on
 * this thread's runtime, tracked until it finishes so a graceful shutdown can wait for it.
 * The main thread runs one (main-thread accept); with worker accept each worker runs its own.
 */
import { createServer, type IncomingMessage, type Server as HttpServer, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { Logger } from 'pino';
import type { LocalTask, RuntimeCore } from '@skein/core/internal';
import { completion } from '../readiness.js';
import { formatAddr, parseAddr, toSocketAddr, type SocketAddr, type ToSocketAddr } from '../socket_addr.js';
import { TcpListener } from '../tcp/tcp_listener.js';
import { DEFAULT_BODY_LIMIT } from './body_limit.js';
import { dispatch, type DispatchConfig } from './dispatch.js';
import { writeStatus } from './respond.js';
import type { Router } from './router.js';
import type { Serving } from './server.js';

/** The node:http settings of a server (what crosses to the workers: no logger). */
export interface HttpSettings {
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

/** Where a response keeps the task serving it, for {@link abortIfUnfinished}. */
const REQUEST_TASK: unique symbol = Symbol('skein.net.requestTask');
type TaskedResponse = ServerResponse & { [REQUEST_TASK]?: LocalTask<void> };

/**
 * A response closed before it was written out: the client went away, so its task is aborted.
 * One listener for every response (registered with `on`: 'close' is emitted once).
 */
function abortIfUnfinished(this: TaskedResponse): void {
  if (!this.writableFinished) this[REQUEST_TASK]?.abort();
}

/** A node:http server on this thread and the request tasks it has running. */
export class HttpServing implements Serving {
  readonly #http: HttpServer;
  readonly #inflight = new Set<LocalTask<void>>();
  #idle: (() => void) | undefined;
  #closing = false;

  private constructor(http: HttpServer, rt: RuntimeCore, cfg: Omit<DispatchConfig, 'closing'>) {
    this.#http = http;
    const dc: DispatchConfig = { ...cfg, closing: () => this.#closing };
    http.on('request', (req: IncomingMessage, res: TaskedResponse) => {
      if (rt.isShutdown) {
        // The runtime is going away (the server with it): no task can run this request.
        writeStatus(res, 503, true);
        return;
      }
      // Started without a JoinHandle: nobody awaits a request task, and its outcome is
      // heard through a listener, which costs no promise.
      const t = rt.startLocal(() => dispatch(dc, req, res));
      this.#inflight.add(t);
      t.onSettled(() => this.#requestDone(t));
      res[REQUEST_TASK] = t;
      res.on('close', abortIfUnfinished);
    });
  }

  /**
   * Listen on `target` and serve `router` there, each request a task spawned on `rt`.
   * Errors: `EADDRINUSE` and other system errors from binding.
   */
  static async listen(
    target: TcpListener | ToSocketAddr,
    router: Router<unknown>,
    opts: HttpSettings,
    rt: RuntimeCore,
    log: Logger,
  ): Promise<{ serving: HttpServing; addr: SocketAddr }> {
    const http = createHttp(opts);
    await listen(http, target, opts);
    const addr = toSocketAddr(http.address() as AddressInfo);
    const serving = new HttpServing(http, rt, {
      router,
      log,
      bodyLimit: opts.bodyLimit ?? DEFAULT_BODY_LIMIT,
      host: formatAddr(addr),
    });
    return { serving, addr };
  }

  /**
   * A server that listens nowhere: connections accepted elsewhere (and handed to this
   * thread) come in through {@link HttpServing.accept}.
   */
  static detached(
    router: Router<unknown>,
    opts: HttpSettings,
    rt: RuntimeCore,
    log: Logger,
    host: string,
  ): HttpServing {
    const http = createHttp(opts);
    const serving = new HttpServing(http, rt, {
      router,
      log,
      bodyLimit: opts.bodyLimit ?? DEFAULT_BODY_LIMIT,
      host,
    });
    // node:http starts tracking connections (idle and all-connection closing, header and
    // request timeouts) on 'listening', which a server that never listens doesn't emit.
    http.emit('listening');
    return serving;
  }

  /** Serve a connection accepted elsewhere (paused, nothing read yet). */
  accept(socket: Socket): void {
    this.#http.emit('connection', socket);
    socket.resume();
  }

  #requestDone(t: LocalTask<void>): void {
    this.#inflight.delete(t);
    if (this.#inflight.size === 0) this.#idle?.();
  }

  async drain(ms: number | undefined): Promise<void> {
    this.#closing = true;
    const http = this.#http;
    const stopped = new Promise<void>((resolve) => http.close(() => resolve()));
    http.closeIdleConnections();
    if (this.#inflight.size > 0) {
      const idle = new Promise<void>((resolve) => {
        this.#idle = resolve;
      });
      let timer: NodeJS.Timeout | undefined;
      const expired =
        ms === undefined || ms === Infinity
          ? undefined
          : new Promise<void>((resolve) => {
              timer = setTimeout(resolve, ms);
            });
      await (expired === undefined ? idle : Promise.race([idle, expired]));
      clearTimeout(timer);
      for (const h of this.#inflight) h.abort();
    }
    http.closeAllConnections();
    await stopped;
  }
}

function createHttp(opts: HttpSettings): HttpServer {
  return createServer({
    headersTimeout: opts.headersTimeout,
    requestTimeout: opts.requestTimeout,
    keepAliveTimeout: opts.keepAliveTimeout,
    connectionsCheckingInterval: opts.connectionsCheckingInterval,
    maxHeaderSize: opts.maxHeaderSize,
  });
}

async function listen(http: HttpServer, target: TcpListener | ToSocketAddr, opts: HttpSettings): Promise<void> {
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
