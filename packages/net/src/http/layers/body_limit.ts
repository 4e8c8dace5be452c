import { assertNumber } from '@skein/core';
import { DEFAULT_BODY_LIMIT } from '../body_limit.js';
import { bodyLimitOf } from '../chain.js';
import type { Layer } from '../handler.js';

/**
 * Limit request bodies to `bytes` (default 2 MiB, axum's `DefaultBodyLimit`): a declared
 * Content-Length over it answers 413 at once; a chunked body fails when it passes the limit,
 * and the handler that reads it answers 413.
 * Errors: RangeError for a negative or NaN `bytes`.
 */
export function bodyLimit(bytes: number = DEFAULT_BODY_LIMIT): Layer {
  assertNumber(bytes, 'bytes', 0, true);
  return (req, ctx, next) => {
    const limit = bodyLimitOf(ctx);
    if (limit !== undefined) limit.limit = bytes;
    const cl = req.headers.get('content-length');
    if (cl !== null && Number(cl) > bytes) return new Response(null, { status: 413, headers: { connection: 'close' } });
    return next(req, ctx);
  };
}
