/** Shared helpers of the multi-thread runtime tests. */
import type { Logger } from 'pino';
import { Runtime } from '@skein/core';

export { captureLogs } from '../../support/logs.js';
export { waitFor } from '../../support/outcomes.js';

/** A multi-thread runtime with `workers` workers and a silent (or given) logger. */
export function multiThread(workers: number, logger: Logger | string = 'silent'): Promise<Runtime> {
  return Runtime.builder().multiThread().workerThreads(workers).logger(logger).build();
}

/** An Int32Array over a fresh SharedArrayBuffer of `n` words. */
export function sharedInts(n: number): { sab: SharedArrayBuffer; words: Int32Array } {
  const sab = new SharedArrayBuffer(n * 4);
  return { sab, words: new Int32Array(sab) };
}
