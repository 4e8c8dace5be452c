/**
 * The WHATWG Request a handler gets, built lazily.
 *
 * Constructing a real `Request` (URL parsing, a Headers copy, the body stream) costs more
 * than node:http's whole parse of a small request, and most handlers read only the method,
 * the URL, a header or the JSON body. So the handler gets this stand-in: `instanceof
 * Request` holds, `method`, `url` and `headers` are answered from the request as it came
 * (node:http's message on the accepting thread, the request's data on a worker), and the
 * real Request is built on first use of anything else (the body included).
 */
import type { IncomingMessage } from 'node:http';
import type { BodyLimit } from './body_limit.js';
import type { ResponseBody } from './handler.js';
import { toRequest } from './request.js';
import type { RequestData } from './task_handler.js';

/** node:http's flat rawHeaders list as WHATWG Headers. */
export function headersOf(raw: readonly string[]): Headers {
  const h = new Headers();
  for (let i = 0; i < raw.length; i += 2) h.append(raw[i]!, raw[i + 1]!);
  return h;
}

/** A lazily built Request (see the module comment); subclasses say where it comes from. */
export abstract class LazyRequest {
  readonly #url: string;
  #headers: Headers | undefined;
  #real: Request | undefined;

  constructor(url: string) {
    this.#url = url;
  }

  /** The request line's method. */
  protected abstract get rawMethod(): string;
  /** The header fields as node:http's flat rawHeaders list. */
  protected abstract get rawHeaders(): readonly string[];
  /** Build the real Request; `headers`: those already made from rawHeaders, if any. */
  protected abstract build(url: string, headers: Headers | undefined): Request;

  /** The real Request, built once. */
  #req(): Request {
    return (this.#real ??= this.build(this.#url, this.#headers));
  }

  get method(): string {
    return this.#real?.method ?? this.rawMethod;
  }
  get url(): string {
    return this.#url;
  }
  get headers(): Headers {
    return this.#real?.headers ?? (this.#headers ??= headersOf(this.rawHeaders));
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
Object.setPrototypeOf(LazyRequest.prototype, Request.prototype);

/** The Request a closure handler gets, from node:http's message. */
export class IncomingRequest extends LazyRequest {
  readonly #im: IncomingMessage;
  readonly #limit: BodyLimit;

  constructor(im: IncomingMessage, url: string, limit: BodyLimit) {
    super(url);
    this.#im = im;
    this.#limit = limit;
  }

  protected get rawMethod(): string {
    return this.#im.method ?? 'GET';
  }
  protected get rawHeaders(): readonly string[] {
    return this.#im.rawHeaders;
  }
  protected build(url: string, headers: Headers | undefined): Request {
    return toRequest(this.#im, url, this.#limit, headers);
  }
}

/** The Request a task() handler gets on a worker, from the request's data. */
export class DataRequest extends LazyRequest {
  readonly #data: RequestData;

  constructor(data: RequestData) {
    super(data.url);
    this.#data = data;
  }

  protected get rawMethod(): string {
    return this.#data.method;
  }
  protected get rawHeaders(): readonly string[] {
    return this.#data.headers;
  }
  protected build(url: string, headers: Headers | undefined): Request {
    const d = this.#data;
    return new Request(url, {
      method: d.method,
      headers: headers ?? headersOf(d.headers),
      body: d.body as ResponseBody,
    });
  }
}
