import { assertNumber } from '@skein/core';
import type { Layer } from '../handler.js';

/** Options of {@link loadShed}. */
export interface LoadShedOptions {
  /** Also shed when this many requests are already inside this layer. */
  readonly maxInFlight?: number;
}

/**
 * Answer 503 at once when the inner chain is not ready (tower's `LoadShed`): put it outside
 * `concurrencyLimit(n)` and requests beyond `n` are refused instead of queued. With
 * `maxInFlight` it also sheds on its own count.
 */
export function loadShed(opts: LoadShedOptions = {}): Layer {
  const max = opts.maxInFlight;
  if (max !== undefined) assertNumber(max, 'maxInFlight', 1, true);
  let inFlight = 0;
  return async (req, ctx, next) => {
    if (!next.ready() || (max !== undefined && inFlight >= max)) {
      return new Response(null, { status: 503 });
    }
    inFlight++;
    try {
      return await next(req, ctx);
    } finally {
      inFlight--;
    }
  };
}
