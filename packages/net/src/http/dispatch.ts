/**
 * One request, as one task: resolve the route, build the Request, run the chain, write the
 * answer. Runs inside the task serve() spawned for the request.
 *
 * A handler that answers at once is served without a promise (the task's body then returns
 * synchronously); only an asynchronous answer goes through {@link finish}.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { Cancelled, isTaskDef } from '@skein/core';
import { frames, isThenable } from '@skein/core/internal';
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

/**
 * Serve one request; never throws (nor rejects) but `Cancelled` (the client went away, or
 * shutdown). Returns a promise only when the answer is asynchronous.
 */
export function dispatch(cfg: DispatchConfig, req: IncomingMessage, res: ServerResponse): Promise<void> | undefined {
  // The task itself, not currentTask(): that one also pins the task's name for user code.
  const signal = frames.getStore()!.task!.signal;
  const rawUrl = req.url ?? '/';
  let segments: string[];
  try {
    segments = pathSegments(rawUrl);
  } catch {
    // A malformed percent-encoding: the client's fault.
    writeStatus(res, 400, true);
    return;
  }
  const { endpoint, params, state } = cfg.router.resolve(req.method ?? 'GET', segments);
  const limit = new BodyLimit(cfg.bodyLimit);
  const ctx: ServeContext = { params, state, signal, log: cfg.log, [BODY_LIMIT]: limit };
  const host = req.headers.host ?? cfg.host;
  const url = `http://${host}${rawUrl}`;
  let answer: unknown;
  if (endpoint.layers.length === 0 && isTaskDef(endpoint.handler)) {
    // A worker handler with no layers: the request goes to the worker as data, with no
    // WHATWG Request built on this thread.
    answer = invokeRaw(endpoint.handler, req, url, limit, ctx);
  } else {
    if (!validUrl(host, rawUrl, url)) {
      // A Host header that makes no valid URL: the client's fault.
      writeStatus(res, 400, true);
      return;
    }
    const request = new IncomingRequest(req, url, limit).asRequest();
    answer = endpoint.layers.length === 0 ? invoke(endpoint, request, ctx) : chainOf(endpoint)(request, ctx);
  }
  if (isThenable(answer)) return finish(cfg, req, res, signal, answer);
  let written: Promise<void> | undefined;
  try {
    written = writeAnswer(res, answer, cfg.closing());
  } catch (err) {
    // A value JSON can't encode (a cycle, a BigInt).
    answerFailed(cfg, req, res, signal, err);
    return;
  }
  return written === undefined ? undefined : finish(cfg, req, res, signal, written);
}

/** Wait for an asynchronous answer (or the end of a streamed one) and write it. */
async function finish(
  cfg: DispatchConfig,
  req: IncomingMessage,
  res: ServerResponse,
  signal: AbortSignal,
  pending: PromiseLike<unknown>,
): Promise<void> {
  try {
    const answer = await pending;
    // A streamed Response's end resolves with undefined, which writes nothing more.
    await writeAnswer(res, answer, cfg.closing());
  } catch (err) {
    answerFailed(cfg, req, res, signal, err);
  }
}

/**
 * A layer failed, or the answer could not be written (handlers' errors are answers
 * already): answer 500 and log it. Cancellation is rethrown.
 */
function answerFailed(
  cfg: DispatchConfig,
  req: IncomingMessage,
  res: ServerResponse,
  signal: AbortSignal,
  err: unknown,
): void {
  if (err instanceof Cancelled && signal.aborted) throw err;
  cfg.log.error({ err, method: req.method, url: req.url }, 'request layer failed; answered 500');
  writeStatus(res, 500, cfg.closing());
}

/** The decoded segments of a request target's path. Errors: URIError for a malformed escape. */
function pathSegments(rawUrl: string): string[] {
  const q = rawUrl.indexOf('?');
  const path = q === -1 ? rawUrl : rawUrl.slice(0, q);
  const segments = splitPath(path);
  return path.includes('%') ? segments.map(decodeURIComponent) : segments;
}

/**
 * The last Host header that made a valid URL. For a target that starts with "/" (every
 * origin-form request), whether `http://${host}${target}` parses depends on the host alone:
 * the target only adds path, query and fragment, which never fail to parse.
 */
let validHost: string | undefined;

/** Whether `url` (made of `host` and the request target) is a valid URL. */
function validUrl(host: string, rawUrl: string, url: string): boolean {
  const originForm = rawUrl.charCodeAt(0) === 0x2f;
  if (originForm && host === validHost) return true;
  if (!URL.canParse(url)) return false;
  if (originForm) validHost = host;
  return true;
}
