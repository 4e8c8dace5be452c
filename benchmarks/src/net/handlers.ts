/** The task() handler of http_cpu and the router factories of the workers-accept rows: side-effect free, the workers import it. */
import { task } from '@skein/core';
import { Router, type RequestContext } from '@skein/net';
import { fib } from '../peers/work.mjs';

export const fibHandler = task(import.meta, function fibHandler(_req: Request, ctx: RequestContext<unknown>): unknown {
  const n = Number(ctx.params.n);
  return { n, fib: fib(n) };
});

const hello = { hello: 'world' };

/** http_hello's router, built on each worker. */
export const helloApp = task(import.meta, function helloApp(): Router {
  return new Router().get('/', () => hello);
});

/** http_cpu's router, built on each worker: the worker that accepted computes. */
export const fibApp = task(import.meta, function fibApp(): Router {
  return new Router().get('/fib/{n}', (_req, ctx) => {
    const n = Number(ctx.params.n);
    return { n, fib: fib(n) };
  });
});
