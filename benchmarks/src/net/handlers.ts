/** The task() handler of http_cpu: side-effect free, the workers import it. */
import { task } from '@skein/core';
import type { RequestContext } from '@skein/net';
import { fib } from '../peers/work.mjs';

export const fibHandler = task(import.meta, function fibHandler(_req: Request, ctx: RequestContext<unknown>): unknown {
  const n = Number(ctx.params.n);
  return { n, fib: fib(n) };
});
