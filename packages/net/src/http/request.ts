/** `node:http`'s IncomingMessage as a WHATWG Request. */
import type { IncomingMessage } from 'node:http';
import { bodyStream, type BodyLimit } from './body_limit.js';

/**
 * Build the Request a handler sees, for `url` (made from the Host header). Errors: TypeError for a request line or Host header
 * that makes no valid URL (the caller answers 400).
 */
export function toRequest(req: IncomingMessage, url: string, limit: BodyLimit, known?: Headers): Request {
  let headers = known;
  if (headers === undefined) {
    const raw = req.rawHeaders;
    headers = new Headers();
    for (let i = 0; i < raw.length; i += 2) headers.append(raw[i]!, raw[i + 1]!);
  }
  const method = req.method ?? 'GET';
  if (method === 'GET' || method === 'HEAD') return new Request(url, { method, headers });
  return new Request(url, { method, headers, body: bodyStream(req, limit), duplex: 'half' } as RequestInit);
}
