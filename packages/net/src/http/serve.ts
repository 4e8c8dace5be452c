/**
 * `serve()`: Node's HTTP server (llhttp parses; keep-alive and pipelining are its) with
 * every request run as a skein task on the thread that accepted it: the main thread, or,
 * for a router factory on the multi-thread flavour where the platform allows, each worker.
 */
import type { Logger } from 'pino';
import { assertNumber, currentTask, Handle, isTaskDef, typeError } from '@skein/core';
import { frames } from '@skein/core/internal';
import type { ToSocketAddr } from '../socket_addr.js';
import { TcpListener } from '../tcp/tcp_listener.js';
import { HttpServing, type HttpSettings } from './http_serving.js';
import { Router } from './router.js';
import { buildRouter, type RouterFactory } from './router_factory.js';
import { Server, type AcceptMode, type Serving } from './server.js';
import { serveOnWorkers, WorkerAcceptUnsupportedError, workerAcceptBlocker } from './worker_serve.js';

/** Options of {@link serve}. */
export interface ServeOptions extends HttpSettings {
  /** pino logger for errors and the trace layer (default: the runtime's; on workers, always theirs). */
  readonly logger?: Logger;
  /**
   * Who accepts connections. `'workers'`: every worker listens on the port itself
   * (SO_REUSEPORT) and serves the router a factory builds there; needs a router factory,
   * an address, the multi-thread flavour, Linux and Node >= 22.12. `'main'`: the main thread
   * accepts (a factory's router is then built and served there). Default: `'workers'` where
   * it is available for a factory, else `'main'`.
   */
  readonly accept?: AcceptMode;
}

const NUMERIC = ['bodyLimit', 'headersTimeout', 'requestTimeout', 'keepAliveTimeout', 'connectionsCheckingInterval', 'maxHeaderSize', 'backlog'] as const;

/**
 * Serve `app` on `listenerOrAddr` (a bound TcpListener, or an address to bind). `app` is a
 * Router, or a router factory (a `task()` definition returning a Router), which lets each
 * worker accept and serve its own copy. Must be called inside a runtime. Each request runs
 * as a task: `currentTask()` works in handlers, `ctx.signal` and the task abort when the
 * client disconnects. The server belongs to the calling task: aborting that task (or
 * shutting the runtime down) closes it at once.
 *
 * Errors: `EADDRINUSE` and other system errors from binding; TypeError / RangeError for
 * bad arguments; WorkerAcceptUnsupportedError for `accept: 'workers'` where it is not
 * available; NoRuntimeError outside a runtime.
 */
export async function serve<S>(listenerOrAddr: TcpListener | ToSocketAddr, app: Router<S> | RouterFactory<S>, opts: ServeOptions = {}): Promise<Server> {
  const factory = isTaskDef(app);
  if (!(app instanceof Router) && !factory) throw typeError('serve() takes a Router, or a task() definition that returns one, as its second argument');
  for (const k of NUMERIC) {
    if (opts[k] !== undefined) assertNumber(opts[k], k, k === 'connectionsCheckingInterval' ? 1 : 0);
  }
  if (opts.accept !== undefined && opts.accept !== 'main' && opts.accept !== 'workers') {
    throw typeError(`The "accept" option must be 'main' or 'workers'. Received ${String(opts.accept)}`, 'ERR_INVALID_ARG_VALUE');
  }
  const handle = Handle.current();
  const hasListener = listenerOrAddr instanceof TcpListener;
  const blocker = workerAcceptBlocker(handle, hasListener);
  if (opts.accept === 'workers') {
    if (!factory) throw typeError("accept: 'workers' needs a router factory (a task() definition returning the Router): closures can't cross to the workers");
    if (blocker !== undefined) throw new WorkerAcceptUnsupportedError(blocker);
  }
  const { logger, accept, ...settings } = opts;
  let started: { serving: Serving; addr: Server['addr'] };
  let mode: AcceptMode;
  if (factory && accept !== 'main' && blocker === undefined) {
    mode = 'workers';
    started = await serveOnWorkers(handle, listenerOrAddr as ToSocketAddr, app as RouterFactory, settings);
  } else {
    mode = 'main';
    const router = factory ? await buildRouter(app as RouterFactory) : app as Router<unknown>;
    const log = logger ?? frames.getStore()!.task!.runtime.logger;
    started = await HttpServing.listen(listenerOrAddr, router, settings, handle, log);
  }
  const server = new Server(started.addr, started.serving, mode);
  const owner = currentTask()?.signal;
  if (owner !== undefined) {
    const onAbort = (): void => {
      started.serving.abandon?.();
      void server.shutdown({ timeoutMs: 0 });
    };
    owner.addEventListener('abort', onAbort, { once: true });
    void server.closed.then(() => owner.removeEventListener('abort', onAbort));
  }
  return server;
}
