/**
 * `task()` handlers: the request crosses to a worker as data, the handler runs there as a
 * task, and the response comes back as data. This module is side-effect free because the
 * workers import it to run {@link runHandler}.
 */
import type { ResponseBody } from './handler.js';
import { currentTask, spawn, task, type TaskDef } from '@skein/core';
import { frames } from '@skein/core/internal';
import pino from 'pino';
import type { ClosureHandler, RequestContext } from './handler.js';
import { toResponse } from './respond.js';

/** A request as plain data (what crosses threads). */
export interface RequestData {
  readonly method: string;
  readonly url: string;
  readonly headers: [string, string][];
  readonly body: Uint8Array | undefined;
}

/** A response as plain data. */
export interface ResponseData {
  readonly status: number;
  readonly statusText: string;
  readonly headers: [string, string][];
  readonly body: Uint8Array | null;
}

/** What crosses of the context: the rest (signal, log) is rebuilt on the worker. */
export interface ContextData {
  readonly params: Record<string, string>;
  readonly state: unknown;
  readonly requestId: string | undefined;
}

let fallbackLog: pino.Logger | undefined;

/** Runs on a worker: rebuild the Request, call the handler's function, flatten its answer. */
export const runHandler = task(import.meta, async function runHandler(url: string, name: string, data: RequestData, cx: ContextData): Promise<ResponseData> {
  const mod = await import(url) as Record<string, TaskDef<unknown[], unknown>>;
  const def = mod[name]!;
  const req = new Request(data.url, { method: data.method, headers: data.headers, body: data.body as ResponseBody });
  const t = currentTask();
  const log = frames.getStore()?.task?.runtime.logger ?? (fallbackLog ??= pino({ name: 'skein', level: 'warn' }));
  const ctx: RequestContext<unknown> = {
    params: cx.params,
    state: cx.state,
    signal: t?.signal ?? new AbortController().signal,
    requestId: cx.requestId,
    log: cx.requestId === undefined ? log : log.child({ requestId: cx.requestId }),
  };
  const res = toResponse(await (def.fn as unknown as ClosureHandler<unknown>)(req, ctx));
  const body = res.body === null ? null : new Uint8Array(await res.arrayBuffer());
  return { status: res.status, statusText: res.statusText, headers: [...res.headers], body };
});

/**
 * On the accepting thread: send the request to a worker and wait for its answer. The body
 * is read here first (under the body limit). Aborting the request aborts the worker task.
 */
export async function runTaskHandler(def: TaskDef<never[], unknown>, req: Request, ctx: RequestContext<unknown>): Promise<Response> {
  const name = await def.resolveName();
  const body = req.method === 'GET' || req.method === 'HEAD' ? undefined : new Uint8Array(await req.arrayBuffer());
  const data: RequestData = { method: req.method, url: req.url, headers: [...req.headers], body };
  const h = spawn(runHandler, def.url, name, data, { params: { ...ctx.params }, state: ctx.state, requestId: ctx.requestId });
  const abort = (): void => h.abort();
  ctx.signal.addEventListener('abort', abort, { once: true });
  try {
    const out = await h;
    return new Response(out.body as ResponseBody, { status: out.status, statusText: out.statusText, headers: out.headers });
  } finally {
    ctx.signal.removeEventListener('abort', abort);
  }
}
