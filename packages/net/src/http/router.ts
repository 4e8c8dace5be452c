/**
 * `Router`: axum's router. Routes map a path pattern and a method to a handler; `nest`
 * mounts another router under a prefix; `layer` wraps the routes added so far (and the
 * fallback) in a middleware; `withState` gives handlers their `ctx.state`.
 *
 * As in axum: a path that matches with another method answers 405 with `Allow`; an
 * unmatched path goes to the fallback (404 by default), a nested router's fallback
 * answering under its prefix; the layer added last is the outermost.
 */
import { assertFunction, isTaskDef, typeError } from '@skein/core';
import type { Handler, Layer, Middleware } from './handler.js';
import { byPriority, joinPath, PathPattern, splitPath } from './path_pattern.js';

/** A handler with the layers around it and the state it sees. @internal */
export interface Endpoint {
  readonly handler: Handler<unknown>;
  /** Innermost first. */
  readonly layers: Middleware<unknown>[];
  readonly state: { readonly value: unknown } | undefined;
}

interface RouteGroup {
  readonly pattern: PathPattern;
  readonly methods: Map<string, Endpoint>;
}

interface PrefixFallback {
  readonly prefix: readonly string[];
  readonly endpoint: Endpoint;
}

/** What a request resolved to. @internal */
export interface Resolved {
  readonly endpoint: Endpoint;
  readonly params: Record<string, string>;
  readonly state: unknown;
}

const ANY = '*';

const notFound: Handler<unknown> = () => new Response(null, { status: 404 });

/** An axum-style router; `S` is the state type handlers see. */
export class Router<S = undefined> {
  #groups: RouteGroup[] = [];
  #fallback: Endpoint = { handler: notFound, layers: [], state: undefined };
  readonly #prefixFallbacks: PrefixFallback[] = [];
  #state: { readonly value: unknown } | undefined;

  /** Route GET (and HEAD) requests for `path` to `handler`. */
  get(path: string, handler: Handler<S>): this {
    return this.#route('GET', path, handler);
  }

  post(path: string, handler: Handler<S>): this {
    return this.#route('POST', path, handler);
  }

  put(path: string, handler: Handler<S>): this {
    return this.#route('PUT', path, handler);
  }

  patch(path: string, handler: Handler<S>): this {
    return this.#route('PATCH', path, handler);
  }

  delete(path: string, handler: Handler<S>): this {
    return this.#route('DELETE', path, handler);
  }

  /** Route every method for `path` (methods routed explicitly take precedence). */
  all(path: string, handler: Handler<S>): this {
    return this.#route(ANY, path, handler);
  }

  /**
   * Mount `router`'s routes under `prefix` (`'/api'`). Its layers and state come along;
   * its fallback answers unmatched paths under the prefix. Later changes to `router` do
   * not affect this one.
   */
  nest<S2>(prefix: string, router: Router<S2>): this {
    if (typeof prefix !== 'string' || !prefix.startsWith('/') || prefix.includes('{')) {
      throw typeError(
        `nest() prefix must be a literal path starting with "/". Received ${JSON.stringify(prefix)}`,
        'ERR_INVALID_ARG_VALUE',
      );
    }
    if (!(router instanceof Router)) throw typeError('nest() takes a Router');
    const copy = (ep: Endpoint): Endpoint => ({
      handler: ep.handler,
      layers: [...ep.layers],
      state: ep.state ?? router.#state,
    });
    for (const g of router.#groups) {
      for (const [method, ep] of g.methods) this.#add(method, joinPath(prefix, g.pattern.path), copy(ep));
    }
    const base = splitPath(joinPath(prefix, '/'));
    for (const f of router.#prefixFallbacks) {
      this.#prefixFallbacks.push({ prefix: [...base, ...f.prefix], endpoint: copy(f.endpoint) });
    }
    if (router.#fallback.handler !== notFound)
      this.#prefixFallbacks.push({ prefix: base, endpoint: copy(router.#fallback) });
    this.#prefixFallbacks.sort((a, b) => b.prefix.length - a.prefix.length);
    return this;
  }

  /** Answer requests no route matches (404 by default). Layers added before still wrap it. */
  fallback(handler: Handler<S>): this {
    checkHandler(handler);
    this.#fallback = { ...this.#fallback, handler: handler as unknown as Handler<unknown> };
    return this;
  }

  /** Wrap every route added so far, and the fallback, in `middleware` (outermost). */
  layer(middleware: Middleware<S> | Layer): this {
    assertFunction(middleware, 'middleware');
    const mw = middleware as unknown as Middleware<unknown>;
    for (const g of this.#groups) for (const ep of g.methods.values()) ep.layers.push(mw);
    for (const f of this.#prefixFallbacks) f.endpoint.layers.push(mw);
    this.#fallback.layers.push(mw);
    return this;
  }

  /** Give the handlers `state` as `ctx.state` (routes nested with their own state keep theirs). */
  withState<T>(state: T): Router<T> {
    this.#state = { value: state };
    return this as unknown as Router<T>;
  }

  /** @internal Find the endpoint for a request. `segments` are the decoded path's. */
  resolve(method: string, segments: readonly string[]): Resolved {
    for (const g of this.#groups) {
      const params = g.pattern.match(segments);
      if (params === undefined) continue;
      const ep = g.methods.get(method) ?? (method === 'HEAD' ? g.methods.get('GET') : undefined) ?? g.methods.get(ANY);
      if (ep !== undefined) return { endpoint: ep, params, state: (ep.state ?? this.#state)?.value };
      const allow = [...g.methods.keys()];
      if (allow.includes('GET')) allow.push('HEAD');
      const first = g.methods.values().next().value!;
      const methodNotAllowed: Endpoint = {
        handler: () => new Response(null, { status: 405, headers: { allow: allow.join(', ') } }),
        layers: first.layers,
        state: undefined,
      };
      return { endpoint: methodNotAllowed, params, state: undefined };
    }
    for (const f of this.#prefixFallbacks) {
      if (f.prefix.every((p, i) => segments[i] === p))
        return { endpoint: f.endpoint, params: {}, state: (f.endpoint.state ?? this.#state)?.value };
    }
    return { endpoint: this.#fallback, params: {}, state: this.#state?.value };
  }

  #route(method: string, path: string, handler: Handler<S>): this {
    checkHandler(handler);
    this.#add(method, path, { handler: handler as unknown as Handler<unknown>, layers: [], state: undefined });
    return this;
  }

  #add(method: string, path: string, ep: Endpoint): void {
    let g = this.#groups.find((x) => x.pattern.path === path);
    if (g === undefined) {
      g = { pattern: new PathPattern(path), methods: new Map() };
      this.#groups.push(g);
      this.#groups.sort((a, b) => byPriority(a.pattern, b.pattern));
    }
    if (g.methods.has(method)) {
      throw typeError(
        `Overlapping method route: ${method === ANY ? 'all()' : method} "${path}" is already routed`,
        'ERR_INVALID_ARG_VALUE',
      );
    }
    g.methods.set(method, ep);
  }
}

function checkHandler(handler: unknown): void {
  if (typeof handler !== 'function' && !isTaskDef(handler)) {
    throw typeError('A handler must be a function (req, ctx) => Response | value, or a task() definition');
  }
}
