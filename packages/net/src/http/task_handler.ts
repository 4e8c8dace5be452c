/**
 * `task()` handlers: the request crosses to a worker as data, the handler runs there as a
 * task, and its answer comes back as data: a plain value as itself (no Response is built
 * on either side), a Response flattened to status, headers and body bytes. This module is
 * side-effect free because the workers import it to run {@link runHandler}.
 */
import type { IncomingMessage } from 'node:http';
import { currentTask, spawn, task, type TaskDef } from '@skein/core';
import { frames } from '@skein/core/internal';
import pino from 'pino';
import type { BodyLimit } from './body_limit.js';
import type { ClosureHandler, RequestContext, ResponseBody } from './handler.js';
import { PayloadTooLargeError } from './http_errors.js';
import { DataRequest } from './incoming_request.js';

/** A request as plain data (what crosses threads). `headers` is Node's flat rawHeaders list. */
export interface RequestData {
  readonly method: string;
  readonly url: string;
  readonly headers: string[];
  readonly body: Uint8Array | undefined;
}

/** A handler's answer as plain data: `v` for a value, `r` for a flattened Response. */
export type AnswerData =
  | { readonly v: unknown; readonly r?: undefined }
  | { readonly r: { status: number; statusText: string; headers: [string, string][]; body: Uint8Array | null } };

/** What crosses of the context: the rest (signal, log) is rebuilt on the worker. */
export interface ContextData {
  readonly params: Record<string, string>;
  readonly state: unknown;
  readonly requestId: string | undefined;
}

const loaded = new Map<string, ClosureHandler<unknown>>();
let fallbackLog: pino.Logger | undefined;

async function load(url: string, name: string): Promise<ClosureHandler<unknown>> {
  const mod = (await import(url)) as Record<string, TaskDef<unknown[], unknown>>;
  const fn = mod[name]!.fn as unknown as ClosureHandler<unknown>;
  loaded.set(`${name}@${url}`, fn);
  return fn;
}

/**
 * Runs on a worker: rebuild the Request, call the handler's function, flatten its answer.
 * A handler that answers synchronously completes this task synchronously too: the worker
 * posts the completion as soon as the function returns, instead of after its next
 * microtask checkpoint, which under load can come only after a whole batch of tasks.
 */
export const runHandler = task(
  import.meta,
  function runHandler(url: string, name: string, data: RequestData, cx: ContextData): AnswerData | Promise<AnswerData> {
    const fn = loaded.get(`${name}@${url}`);
    if (fn === undefined) return load(url, name).then((f) => call(f, data, cx));
    return call(fn, data, cx);
  },
);

function call(fn: ClosureHandler<unknown>, data: RequestData, cx: ContextData): AnswerData | Promise<AnswerData> {
  const req = new DataRequest(data).asRequest();
  const log = frames.getStore()?.task?.runtime.logger ?? (fallbackLog ??= pino({ name: 'skein', level: 'warn' }));
  const ctx: RequestContext<unknown> = {
    params: cx.params,
    state: cx.state,
    signal: currentTask()?.signal ?? new AbortController().signal,
    requestId: cx.requestId,
    log: cx.requestId === undefined ? log : log.child({ requestId: cx.requestId }),
  };
  const v = fn(req, ctx);
  return v instanceof Promise ? v.then(flatten) : flatten(v);
}

function flatten(v: unknown): AnswerData | Promise<AnswerData> {
  if (!(v instanceof Response)) return { v };
  const head = { status: v.status, statusText: v.statusText, headers: [...v.headers] };
  if (v.body === null) return { r: { ...head, body: null } };
  return v.arrayBuffer().then((b) => ({ r: { ...head, body: new Uint8Array(b) } }));
}

/** Run `def` on a worker for a request already turned into data; returns a value or a Response. */
async function onWorker(
  def: TaskDef<never[], unknown>,
  data: RequestData,
  ctx: RequestContext<unknown>,
): Promise<unknown> {
  const name = def.exportName ?? (await def.resolveName());
  const h = spawn(runHandler, def.url, name, data, { params: ctx.params, state: ctx.state, requestId: ctx.requestId });
  const abort = (): void => h.abort();
  ctx.signal.addEventListener('abort', abort, { once: true });
  try {
    const out = await h;
    if (out.r === undefined) return out.v;
    const r = out.r;
    return new Response(r.body as ResponseBody, { status: r.status, statusText: r.statusText, headers: r.headers });
  } finally {
    ctx.signal.removeEventListener('abort', abort);
  }
}

/** From a WHATWG Request (the path through layers). The body is read here, under its limit. */
export async function runTaskHandler(
  def: TaskDef<never[], unknown>,
  req: Request,
  ctx: RequestContext<unknown>,
): Promise<unknown> {
  const body = req.method === 'GET' || req.method === 'HEAD' ? undefined : new Uint8Array(await req.arrayBuffer());
  const headers: string[] = [];
  for (const [k, v] of req.headers) headers.push(k, v);
  return onWorker(def, { method: req.method, url: req.url, headers, body }, ctx);
}

/** Straight from node:http's request, with no WHATWG Request on this thread (no layers). */
export async function runTaskHandlerRaw(
  def: TaskDef<never[], unknown>,
  im: IncomingMessage,
  url: string,
  limit: BodyLimit,
  ctx: RequestContext<unknown>,
): Promise<unknown> {
  const method = im.method ?? 'GET';
  const body = method === 'GET' || method === 'HEAD' ? undefined : await readBody(im, limit);
  return onWorker(def, { method, url, headers: im.rawHeaders, body }, ctx);
}

async function readBody(im: IncomingMessage, limit: BodyLimit): Promise<Uint8Array> {
  if (limit.declaredTooLarge(im)) throw new PayloadTooLargeError(limit.limit);
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of im as AsyncIterable<Buffer>) {
    total += chunk.length;
    if (total > limit.limit) throw new PayloadTooLargeError(limit.limit);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}
