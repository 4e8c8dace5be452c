/**
 * What routes hold: handlers, the per-request context, and middleware (axum's layers).
 */
import type { Logger } from 'pino';
import type { TaskDef } from '@skein/core';

/** What a handler gets besides the request. */
export interface RequestContext<S = unknown> {
  /** Path parameters: `/users/{id}` gives `{ id }`, `/files/{*rest}` gives `{ rest }`. */
  readonly params: Readonly<Record<string, string>>;
  /** The router's state (`withState`). */
  readonly state: S;
  /** Aborts when the client goes away, the request times out, or the server shuts down. */
  readonly signal: AbortSignal;
  /** The request id, once the `requestId` layer ran. */
  readonly requestId?: string;
  /** A pino logger for this request (with its id once `requestId` ran). */
  readonly log: Logger;
}

/**
 * A closure handler: runs as a task on the thread that accepted the connection. Returns a
 * WHATWG `Response`, or a value: a string (text/plain), bytes (application/octet-stream),
 * `undefined` (an empty 200), anything else as JSON.
 */
export type ClosureHandler<S = unknown> = (req: Request, ctx: RequestContext<S>) => unknown;

/**
 * A `task()` handler: runs on the runtime's workers. It receives the request as a WHATWG
 * Request rebuilt on the worker, and a context with `params`, `state`, `signal` and `log`.
 */
export type TaskHandler = TaskDef<never[], unknown>;

/** Either kind of handler. */
export type Handler<S = unknown> = ClosureHandler<S> | TaskHandler;

/** The rest of the chain, as seen from a middleware. */
export interface Next<S = unknown> {
  (req: Request, ctx: RequestContext<S>): Promise<Response>;
  /** Whether the inner chain can take a request now (tower's `poll_ready`). */
  ready(): boolean;
}

/**
 * A layer (tower middleware): wraps the handlers of the routes added before it. Call
 * `next(req, ctx)` to run the inner chain, or answer without it. `ready`, when present,
 * tells outer layers (loadShed) whether this one would make a request wait.
 */
export interface Middleware<S = unknown> {
  (req: Request, ctx: RequestContext<S>, next: Next<S>): Promise<Response> | Response;
  ready?(next: Next<S>): boolean;
}

/** What `new Response(body)` accepts (BodyInit, without the DOM lib). */
export type ResponseBody = ConstructorParameters<typeof Response>[0];

/** A middleware for routers of any state: what the `layers` factories return. */
export interface Layer {
  <S>(req: Request, ctx: RequestContext<S>, next: Next<S>): Promise<Response> | Response;
  ready?<S>(next: Next<S>): boolean;
}
