/**
 * The request body limit. The body stream checks it as bytes arrive, and only starts
 * reading when the handler reads the body, so a `bodyLimit` layer can still change the
 * limit before that.
 */
import type { IncomingMessage } from 'node:http';
import { PayloadTooLargeError } from './http_errors.js';

/** axum's default body limit: 2 MiB. */
export const DEFAULT_BODY_LIMIT = 2 * 1024 * 1024;

/** One request's limit, which layers may change before the body is read. */
export class BodyLimit {
  limit: number;
  constructor(limit: number) {
    this.limit = limit;
  }

  /** True when the declared Content-Length is already over the limit. */
  declaredTooLarge(req: IncomingMessage): boolean {
    const cl = req.headers['content-length'];
    return cl !== undefined && Number(cl) > this.limit;
  }
}

/**
 * The request body as a WHATWG stream. Pull-based: nothing is read until the handler asks,
 * and Node stops reading the socket while the handler is slower than the client.
 */
export function bodyStream(req: IncomingMessage, budget: BodyLimit): ReadableStream<Uint8Array> {
  let total = 0;
  let started = false;
  return new ReadableStream<Uint8Array>(
    {
      pull(controller) {
        if (!started) {
          started = true;
          if (budget.declaredTooLarge(req)) {
            controller.error(new PayloadTooLargeError(budget.limit));
            return;
          }
          req.on('data', (chunk: Buffer) => {
            total += chunk.length;
            if (total > budget.limit) {
              req.pause();
              req.removeAllListeners('data');
              controller.error(new PayloadTooLargeError(budget.limit));
              return;
            }
            controller.enqueue(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.length));
            if ((controller.desiredSize ?? 0) <= 0) req.pause();
          });
          req.on('end', () => {
            try {
              controller.close();
            } catch {
              /* already errored */
            }
          });
          req.on('error', (err) => {
            try {
              controller.error(err);
            } catch {
              /* already closed */
            }
          });
        }
        req.resume();
      },
      cancel() {
        req.pause();
      },
    },
    { highWaterMark: 0 },
  );
}
