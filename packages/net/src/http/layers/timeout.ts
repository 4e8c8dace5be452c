import { assertDuration, Elapsed, timeout as withTimeout } from '@skein/core';
import type { Layer } from '../handler.js';

/**
 * Answer 408 when the inner chain takes longer than `ms`. The handler runs in a cancel
 * scope that is cancelled on expiry: its pending runtime awaits reject with `Cancelled`
 * and its `ctx.signal` aborts (tower-http's `TimeoutLayer`, with 408 as axum users set it).
 * Errors: RangeError for a negative or NaN `ms`.
 */
export function timeout(ms: number): Layer {
  assertDuration(ms, 'ms');
  return async (req, ctx, next) => {
    try {
      return await withTimeout(ms, (signal: AbortSignal) => next(req, { ...ctx, signal }));
    } catch (err) {
      if (err instanceof Elapsed) return new Response(null, { status: 408, headers: { connection: 'close' } });
      throw err;
    }
  };
}
