/**
 * One request, as one task: resolve the route, build the Request, run the chain, write the
 * answer. Runs inside the task serve() spawned for the request.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { Cancelled, currentTask, isTaskDef } from '@skein/core';
import { BodyLimit } from './body_limit.js';
import { BODY_LIMIT, chainOf, invoke, invokeRaw, type ServeContext } from './chain.js';
import { splitPath } from './path_pattern.js';
import { IncomingRequest } from './incoming_request.js';
import { writeAnswer, writeStatus } from './respond.js';
import type { Router } from './router.js';

/** What dispatch needs from its server. */
export interface DispatchConfig {
  readonly router: Router<unknown>;
  readonly log: Logger;
  readonly bodyLimit: number;
  /** `host:port` for requests without a Host header (HTTP/1.0). */
  readonly host: string;
  /** True once the server is shutting down: answers close their connection. */
  closing(): boolean;
}

/** Serve one request; never throws but `Cancelled` (the client went away, or shutdown). */
export async function dispatch(cfg: DispatchConfig, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const signal = currentTask()!.signal;
  const rawUrl = req.url ?? '/';
  const q = rawUrl.indexOf('?');
  let segments: string[];
  const limit = new BodyLimit(cfg.bodyLimit);
  try {
    segments = splitPath(q === -1 ? rawUrl : rawUrl.slice(0, q)).map(decodeURIComponent);
  } catch {
    // A malformed percent-encoding: the client's fault.
    writeStatus(res, 400, true);
    return;
  }
  const { endpoint, params, state } = cfg.router.resolve(req.method ?? 'GET', segments);
  const ctx: ServeContext = { params, state, signal, log: cfg.log, [BODY_LIMIT]: limit };
  const url = `http://${req.headers.host ?? cfg.host}${rawUrl}`;
  try {
    let answer: unknown;
    if (endpoint.layers.length === 0 && isTaskDef(endpoint.handler)) {
      // A worker handler with no layers: the request goes to the worker as data, with no
      // WHATWG Request built on this thread.
      answer = await invokeRaw(endpoint.handler, req, url, limit, ctx);
    } else {
      if (!URL.canParse(url)) {
        // A Host header that makes no valid URL: the client's fault.
        writeStatus(res, 400, true);
        return;
      }
      const request = new IncomingRequest(req, url, limit).asRequest();
      answer =
        endpoint.layers.length === 0 ? await invoke(endpoint, request, ctx) : await chainOf(endpoint)(request, ctx);
    }
    await writeAnswer(res, answer, cfg.closing());
  } catch (err) {
    if (err instanceof Cancelled && signal.aborted) throw err;
    // Only a layer can get here (handlers' errors are answers already).
    cfg.log.error({ err, method: req.method, url: rawUrl }, 'request layer failed; answered 500');
    writeStatus(res, 500, cfg.closing());
  }
}
