/**
 * The WHATWG Request a closure handler gets, built lazily.
 *
 * Constructing a real `Request` (URL parsing, a Headers copy, the body stream) costs more
 * than node:http's whole parse of a small request, and most handlers read only the method,
 * the URL, a header or the JSON body. So the handler gets this stand-in: `instanceof
 * Request` holds, `method`, `url` and `headers` are answered from node:http's message, and
 * the real Request is built on first use of anything else (the body included).
 */
import type { IncomingMessage } from 'node:http';
import type { BodyLimit } from './body_limit.js';
import { toRequest } from './request.js';

/** node:http's flat rawHeaders list as WHATWG Headers. */
export function headersOf(raw: readonly string[]): Headers {
  const h = new Headers();
  for (let i = 0; i < raw.length; i += 2) h.append(raw[i]!, raw[i + 1]!);
  return h;
}

/** A lazily built Request (see the module comment). */
export class IncomingRequest {
  readonly #im: IncomingMessage;
  readonly #url: string;
  readonly #limit: BodyLimit;
  #headers: Headers | undefined;
  #real: Request | undefined;

  constructor(im: IncomingMessage, url: string, limit: BodyLimit) {
    this.#im = im;
    this.#url = url;
    this.#limit = limit;
  }

  /** The real Request, built once. */
  #req(): Request {
    return (this.#real ??= toRequest(this.#im, this.#url, this.#limit, this.#headers));
  }

  get method(): string {
    return this.#real?.method ?? this.#im.method ?? 'GET';
  }
  get url(): string {
    return this.#url;
  }
  get headers(): Headers {
    return this.#real?.headers ?? (this.#headers ??= headersOf(this.#im.rawHeaders));
  }
  get body(): ReadableStream<Uint8Array> | null {
    return this.#req().body;
  }
  get bodyUsed(): boolean {
    return this.#real?.bodyUsed ?? false;
  }
  get signal(): AbortSignal {
    return this.#req().signal;
  }
  get cache(): Request['cache'] {
    return this.#req().cache;
  }
  get credentials(): Request['credentials'] {
    return this.#req().credentials;
  }
  get destination(): Request['destination'] {
    return this.#req().destination;
  }
  get integrity(): string {
    return this.#req().integrity;
  }
  get keepalive(): boolean {
    return this.#req().keepalive;
  }
  get mode(): Request['mode'] {
    return this.#req().mode;
  }
  get redirect(): Request['redirect'] {
    return this.#req().redirect;
  }
  get referrer(): string {
    return this.#req().referrer;
  }
  get referrerPolicy(): Request['referrerPolicy'] {
    return this.#req().referrerPolicy;
  }
  get duplex(): 'half' {
    return 'half';
  }
  clone(): Request {
    return this.#req().clone();
  }
  arrayBuffer(): Promise<ArrayBuffer> {
    return this.#req().arrayBuffer();
  }
  blob(): Promise<Blob> {
    return this.#req().blob();
  }
  bytes(): Promise<Uint8Array> {
    return (this.#req() as Request & { bytes(): Promise<Uint8Array> }).bytes();
  }
  formData(): Promise<FormData> {
    return this.#req().formData();
  }
  json(): Promise<unknown> {
    return this.#req().json();
  }
  text(): Promise<string> {
    return this.#req().text();
  }
  get [Symbol.toStringTag](): string {
    return 'Request';
  }

  /** As a Request, for handler signatures. */
  asRequest(): Request {
    return this as unknown as Request;
  }
}
// `req instanceof Request` holds; every Request member is overridden above, so none of
// Request's own getters (which need a real Request) is ever reached.
Object.setPrototypeOf(IncomingRequest.prototype, Request.prototype);
