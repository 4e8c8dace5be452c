/**
 * Write a handler's answer to `node:http`'s ServerResponse: a WHATWG Response (its body
 * streamed with backpressure), or a plain value (the fast path: no Response is built).
 */
import type { ResponseBody } from './handler.js';
import type { ServerResponse } from 'node:http';
import { once } from 'node:events';

/** A handler's return value as a WHATWG Response (for layers, which work on Responses). */
export function toResponse(value: unknown): Response {
  if (value instanceof Response) return value;
  if (value === undefined) return new Response(null, { status: 200 });
  if (typeof value === 'string')
    return new Response(value, { headers: { 'content-type': 'text/plain; charset=utf-8' } });
  if (value instanceof Uint8Array || value instanceof ArrayBuffer) {
    return new Response(value as ResponseBody, { headers: { 'content-type': 'application/octet-stream' } });
  }
  return Response.json(value);
}

/**
 * Send a handler's return value (a Response or a plain value). A value is written at once;
 * a Response's body is streamed, and the promise settles when it has been.
 */
export function writeAnswer(res: ServerResponse, value: unknown, closing: boolean): Promise<void> | undefined {
  if (res.headersSent || res.destroyed) return;
  if (closing) res.setHeader('connection', 'close');
  if (value instanceof Response) return writeResponse(res, value);
  if (value === undefined) {
    res.writeHead(200, ['content-length', '0']).end();
    return;
  }
  let type: string;
  let body: string | Uint8Array;
  if (typeof value === 'string') {
    type = 'text/plain; charset=utf-8';
    body = value;
  } else if (value instanceof Uint8Array) {
    type = 'application/octet-stream';
    body = value;
  } else if (value instanceof ArrayBuffer) {
    type = 'application/octet-stream';
    body = new Uint8Array(value);
  } else {
    type = 'application/json';
    body = JSON.stringify(value) ?? 'null';
  }
  const length = typeof body === 'string' ? Buffer.byteLength(body) : body.length;
  // The flat array form: node:http then writes the head without building a header map.
  res.writeHead(200, ['content-type', type, 'content-length', String(length)]).end(body);
}

/** Answer with a bare status (400, 408, 413, 500, 503). */
export function writeStatus(res: ServerResponse, status: number, closing: boolean): void {
  if (res.headersSent || res.destroyed) return;
  res.statusCode = status;
  if (closing) res.setHeader('connection', 'close');
  res.setHeader('content-length', 0);
  res.end();
}

async function writeResponse(res: ServerResponse, r: Response): Promise<void> {
  res.statusCode = r.status;
  if (r.statusText !== '') res.statusMessage = r.statusText;
  for (const [k, v] of r.headers) {
    if (k === 'set-cookie') continue;
    res.setHeader(k, v);
  }
  const cookies = r.headers.getSetCookie();
  if (cookies.length > 0) res.setHeader('set-cookie', cookies);
  const body = r.body;
  if (body === null) {
    res.end();
    return;
  }
  const reader = body.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (res.destroyed) return;
      if (!res.write(value)) await once(res, 'drain');
    }
    res.end();
  } finally {
    reader.releaseLock();
  }
}
