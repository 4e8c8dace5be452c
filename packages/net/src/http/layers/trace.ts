import { performance } from 'node:perf_hooks';
import type { Logger } from 'pino';
import type { Layer } from '../handler.js';

/** Options of {@link trace}. */
export interface TraceOptions {
  /** Log here instead of the request's logger (the server's, or requestId's child). */
  readonly logger?: Logger;
  /** pino level of the per-request line (default `info`). */
  readonly level?: 'trace' | 'debug' | 'info' | 'warn';
}

/**
 * Log one pino line per request (tower-http's `TraceLayer`): method, path, status and
 * duration in ms; 5xx answers at `error`. The runtime's logger writes warnings and worse
 * only, so give the runtime (or this layer) an `info` logger to see every request.
 */
export function trace(opts: TraceOptions = {}): Layer {
  const level = opts.level ?? 'info';
  return async (req, ctx, next) => {
    const log = opts.logger ?? ctx.log;
    const start = performance.now();
    const url = new URL(req.url);
    try {
      const res = await next(req, ctx);
      const ms = Math.round((performance.now() - start) * 1000) / 1000;
      const line = { method: req.method, path: url.pathname, status: res.status, ms };
      if (res.status >= 500) log.error(line, 'request failed');
      else log[level](line, 'request');
      return res;
    } catch (err) {
      log.warn({ method: req.method, path: url.pathname, err }, 'request aborted');
      throw err;
    }
  };
}
