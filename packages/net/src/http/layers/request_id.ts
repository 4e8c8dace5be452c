import { randomUUID } from 'node:crypto';
import type { Layer } from '../handler.js';

/** Options of {@link requestId}. */
export interface RequestIdOptions {
  /** The header to read and set (default `x-request-id`). */
  readonly header?: string;
  /** Make an id when the request has none (default `crypto.randomUUID`). */
  readonly generate?: () => string;
}

/**
 * Give each request an id: the client's `x-request-id` if it sent one, else a new UUID.
 * Handlers see it as `ctx.requestId` (and in `ctx.log`'s lines); the response carries it.
 */
export function requestId(opts: RequestIdOptions = {}): Layer {
  const header = opts.header ?? 'x-request-id';
  const generate = opts.generate ?? randomUUID;
  return async (req, ctx, next) => {
    const id = req.headers.get(header) ?? generate();
    const res = await next(req, { ...ctx, requestId: id, log: ctx.log.child({ requestId: id }) });
    try {
      res.headers.set(header, id);
      return res;
    } catch {
      // Immutable headers (Response.redirect, Response.error): copy the response.
      const copy = new Response(res.body, res);
      copy.headers.set(header, id);
      return copy;
    }
  };
}
