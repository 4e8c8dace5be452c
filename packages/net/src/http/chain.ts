/**
 * Running a request through an endpoint: the handler, converted errors, and the layers
 * composed around it (innermost first, as they were added).
 */
import type { Logger } from 'pino';
import type { IncomingMessage } from 'node:http';
import { Cancelled, isTaskDef, type TaskDef } from '@skein/core';
import { isThenable } from '@skein/core/internal';
import type { BodyLimit } from './body_limit.js';
import type { ClosureHandler, Next, RequestContext } from './handler.js';
import { PayloadTooLargeError } from './http_errors.js';
import { toResponse } from './respond.js';
import type { Endpoint } from './router.js';
import { runTaskHandler, runTaskHandlerRaw } from './task_handler.js';

/** Where a request's body limit hides in its context (layers copy contexts by spread). */
export const BODY_LIMIT: unique symbol = Symbol('skein.net.bodyLimit');

/** The context serve() builds; layers see it as a RequestContext. */
export interface ServeContext extends RequestContext<unknown> {
  readonly [BODY_LIMIT]: BodyLimit;
}

/** The body limit of the request `ctx` belongs to. @internal */
export function bodyLimitOf(ctx: RequestContext<unknown>): BodyLimit | undefined {
  return (ctx as Partial<ServeContext>)[BODY_LIMIT];
}

/**
 * Call the handler and return what it returned (a Response or a value), or, for a handler
 * that answers asynchronously, a promise of it: a handler that returns at once costs no
 * promise. A handler that throws answers 500 (logged), or 413 for a body over the limit.
 * Cancellation propagates (thrown, or as the promise's rejection), so a layer (timeout) or
 * serve() can tell it apart.
 */
export function invoke(ep: Endpoint, req: Request, ctx: RequestContext<unknown>): unknown {
  let r: unknown;
  try {
    const h = ep.handler;
    r = isTaskDef(h) ? runTaskHandler(h, req, ctx) : (h as ClosureHandler<unknown>)(req, ctx);
  } catch (err) {
    return handlerFailed(err, req, ctx);
  }
  return isThenable(r) ? Promise.resolve(r).catch((err: unknown) => handlerFailed(err, req, ctx)) : r;
}

/** A handler's error as its answer; Cancellation rethrown (see {@link invoke}). */
function handlerFailed(err: unknown, req: Request, ctx: RequestContext<unknown>): Response {
  if (err instanceof Cancelled && ctx.signal.aborted) throw err;
  return errorResponse(err, req, ctx.log);
}

/** {@link invoke} for a task() handler with no layers, straight from node:http's request. */
export async function invokeRaw(
  def: TaskDef<never[], unknown>,
  im: IncomingMessage,
  url: string,
  limit: BodyLimit,
  ctx: RequestContext<unknown>,
): Promise<unknown> {
  try {
    return await runTaskHandlerRaw(def, im, url, limit, ctx);
  } catch (err) {
    if (err instanceof Cancelled && ctx.signal.aborted) throw err;
    return errorResponse(err, { method: im.method ?? 'GET', url }, ctx.log);
  }
}

/** The Response for a handler's error: 413 for the body limit, else 500 (logged). */
export function errorResponse(
  err: unknown,
  req: { readonly method: string; readonly url: string },
  log: Logger,
): Response {
  if (
    err instanceof PayloadTooLargeError ||
    (err as { cause?: unknown } | null)?.cause instanceof PayloadTooLargeError
  ) {
    return new Response(null, { status: 413, headers: { connection: 'close' } });
  }
  log.error({ err, method: req.method, url: req.url }, 'request handler failed; answered 500');
  return new Response(null, { status: 500 });
}

const chains = new WeakMap<Endpoint, { layers: number; next: Next<unknown> }>();

/** The endpoint's layers composed around its handler (cached). */
export function chainOf(ep: Endpoint): Next<unknown> {
  const cached = chains.get(ep);
  if (cached !== undefined && cached.layers === ep.layers.length) return cached.next;
  let next: Next<unknown> = Object.assign(
    async (req: Request, ctx: RequestContext<unknown>) => toResponse(await invoke(ep, req, ctx)),
    { ready: () => true },
  );
  for (const layer of ep.layers) {
    const inner = next;
    next = Object.assign(async (req: Request, ctx: RequestContext<unknown>) => layer(req, ctx, inner), {
      ready: layer.ready === undefined ? () => inner.ready() : () => layer.ready!(inner),
    });
  }
  chains.set(ep, { layers: ep.layers.length, next });
  return next;
}
