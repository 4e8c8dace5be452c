import { assertNumber, Semaphore } from '@skein/core';
import type { Layer } from '../handler.js';

/**
 * At most `n` requests run the inner chain at once; the rest wait in FIFO order (a
 * semaphore permit each, released when the inner chain answers). Put `loadShed()` outside
 * it to answer 503 instead of waiting. Shared by every route the layer wraps.
 * Errors: RangeError unless `n` is an integer >= 1.
 */
export function concurrencyLimit(n: number): Layer {
  assertNumber(n, 'n', 1, true);
  const sem = new Semaphore(n);
  const mw: Layer = async (req, ctx, next) => {
    const permit = await sem.acquire();
    try {
      return await next(req, ctx);
    } finally {
      permit.release();
    }
  };
  mw.ready = (next) => sem.availablePermits() > 0 && next.ready();
  return mw;
}
