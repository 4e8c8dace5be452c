/**
 * The demo's worker side: its HTTP server's CPU route, and CPU tasks that report what they
 * did to the main thread through a sharedMpsc channel, straight from the worker. Side-effect
 * free: worker threads import this module to run them.
 */
import { Instant, spawn, task } from '@skein/core';
import type { RequestContext } from '@skein/net';
import type { SharedSender } from '@skein/workers';
import { checksum, fib } from '../tasks/compute.js';

/** What worker tasks report: one line per finished piece of work. */
export type Report =
  | { readonly kind: 'checksum' | 'route' }
  | { readonly kind: 'fib'; readonly ms: number }
  /** Sent by the main thread last: everything before it has arrived. */
  | { readonly kind: 'end' };

/** The HTTP routes' state: where the worker-side route reports. */
export interface DemoState {
  readonly reports: SharedSender<Report>;
}

/** A checksum over `size` pseudo-random bytes, reported from the worker that computed it. */
export const reportedChecksum = task(
  import.meta,
  async function reportedChecksum(seed: number, size: number, reports: SharedSender<Report>): Promise<number> {
    const sum = checksum.fn(seed, size) as number;
    await reports.send({ kind: 'checksum' });
    return sum;
  },
);

/** Parallel fib (nested spawns stolen across workers), reported with its duration. */
export const reportedFib = task(
  import.meta,
  async function reportedFib(n: number, cutoff: number, reports: SharedSender<Report>): Promise<number> {
    const t0 = Instant.now();
    const v = await spawn(fib, n, cutoff);
    await reports.send({ kind: 'fib', ms: Instant.now() - t0 });
    return v;
  },
);

function seqFib(n: number): number {
  return n < 2 ? n : seqFib(n - 1) + seqFib(n - 2);
}

/** GET /fib/{n}: a task() handler, so it runs on a worker; n is capped at 30. */
export const fibRoute = task(
  import.meta,
  async function fibRoute(_req: Request, ctx: RequestContext<DemoState>): Promise<unknown> {
    const n = Math.min(30, Number(ctx.params.n) || 0);
    const value = seqFib(n);
    await ctx.state.reports.send({ kind: 'route' });
    return { n, fib: value };
  },
);
