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
import { serverOf, type AcceptMode, type Server, type Serving } from './server.js';
import { acceptBlocker, AcceptModeUnsupportedError, serveOnWorkers } from './worker_serve.js';

/** Options of {@link serve}. */
export interface ServeOptions extends HttpSettings {
  /** pino logger for errors and the trace layer (default: the runtime's; on workers, always theirs). */
  readonly logger?: Logger;
  /**
   * Who accepts connections. `'workers'`: every worker listens on the port itself
   * (SO_REUSEPORT) and serves the router a factory builds there (Linux, Node >= 22.12).
   * `'handoff'`: the main thread accepts and posts each socket to a worker, which serves it
   * the same way (Node >= 26.6 or a recent 24). Both need a router factory, an address and
   * the multi-thread flavour. `'main'`: the main thread accepts and serves (a factory's
   * router is then built there). Default: the first of these three the platform has for a
   * factory, else `'main'`.
   */
  readonly accept?: AcceptMode;
}

/** The modes serve() tries for a router factory, best first ('main' always works). */
const AUTO: readonly AcceptMode[] = ['workers', 'handoff', 'main'];

const NUMERIC = [
  'bodyLimit',
  'headersTimeout',
  'requestTimeout',
  'keepAliveTimeout',
  'connectionsCheckingInterval',
  'maxHeaderSize',
  'backlog',
] as const;

/**
 * Serve `app` on `listenerOrAddr` (a bound TcpListener, or an address to bind). `app` is a
 * Router, or a router factory (a `task()` definition returning a Router), which lets each
 * worker accept and serve its own copy. Must be called inside a runtime. Each request runs
 * as a task: `currentTask()` works in handlers, `ctx.signal` and the task abort when the
 * client disconnects. The server belongs to the calling task: aborting that task (or
 * shutting the runtime down) closes it at once.
 *
 * Errors: `EADDRINUSE` and other system errors from binding; TypeError / RangeError for
 * bad arguments; AcceptModeUnsupportedError for an `accept` mode this process can't run; NoRuntimeError outside a runtime.
 */
export async function serve<S>(
  listenerOrAddr: TcpListener | ToSocketAddr,
  app: Router<S> | RouterFactory<S>,
  opts: ServeOptions = {},
): Promise<Server> {
  const factory = isTaskDef(app);
  if (!(app instanceof Router) && !factory)
    throw typeError('serve() takes a Router, or a task() definition that returns one, as its second argument');
  for (const k of NUMERIC) {
    if (opts[k] !== undefined) assertNumber(opts[k], k, k === 'connectionsCheckingInterval' ? 1 : 0);
  }
  const { logger, accept, ...settings } = opts;
  if (accept !== undefined && accept !== 'main' && accept !== 'workers' && accept !== 'handoff') {
    throw typeError(
      `The "accept" option must be 'main', 'workers' or 'handoff'. Received ${String(accept)}`,
      'ERR_INVALID_ARG_VALUE',
    );
  }
  const handle = Handle.current();
  const hasListener = listenerOrAddr instanceof TcpListener;
  if (accept !== undefined && accept !== 'main') {
    if (!factory)
      throw typeError(
        `accept: '${accept}' needs a router factory (a task() definition returning the Router): closures can't cross to the workers`,
      );
    const blocker = acceptBlocker(accept, handle, hasListener);
    if (blocker !== undefined) throw new AcceptModeUnsupportedError(accept, blocker);
  }
  const mode: AcceptMode =
    accept ?? (factory ? AUTO.find((m) => acceptBlocker(m, handle, hasListener) === undefined)! : 'main');
  let started: { serving: Serving; addr: Server['addr'] };
  if (mode !== 'main') {
    started = await serveOnWorkers(handle, listenerOrAddr as ToSocketAddr, app as RouterFactory, settings, mode);
  } else {
    const router = factory ? await buildRouter(app as RouterFactory) : (app as Router<unknown>);
    const rt = frames.getStore()!.task!.runtime;
    started = await HttpServing.listen(listenerOrAddr, router, settings, rt, logger ?? rt.logger);
  }
  const server = serverOf(started.addr, started.serving, mode);
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
