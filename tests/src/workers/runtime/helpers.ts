/** Shared helpers of the multi-thread runtime tests. */
import pino, { type Logger } from 'pino';
import { Runtime } from '@skein/core';

/** A pino logger whose lines the test can read. */
export function captureLogs(): { logger: Logger; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const stream = { write(line: string): void { lines.push(JSON.parse(line) as Record<string, unknown>); } };
  return { logger: pino({ level: 'info' }, stream), lines };
}

/** A multi-thread runtime with `workers` workers and a silent (or given) logger. */
export function multiThread(workers: number, logger: Logger | string = 'silent'): Promise<Runtime> {
  return Runtime.builder().multiThread().workerThreads(workers).logger(logger).build();
}

/** Resolves once `pred()` is true; rejects after `ms`. */
export async function waitFor(pred: () => boolean, ms = 5000, what = 'condition'): Promise<void> {
  const end = Date.now() + ms;
  while (!pred()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 2));
  }
}

/** An Int32Array over a fresh SharedArrayBuffer of `n` words. */
export function sharedInts(n: number): { sab: SharedArrayBuffer; words: Int32Array } {
  const sab = new SharedArrayBuffer(n * 4);
  return { sab, words: new Int32Array(sab) };
}
