/**
 * Shared helpers for the @skein/core conformance suite. Only the public exports are used.
 */
import { Runtime } from '@skein/core';
import { captureLogs, type CapturedLog } from '../../support/logs.js';

export interface RunOptions {
  /** Start the runtime with the paused clock (auto-advancing when idle). */
  paused?: boolean;
  /** A logger setting; defaults to 'silent' so tests stay quiet. */
  logger?: Parameters<ReturnType<typeof Runtime.builder>['logger']>[0];
}

/** Build a current-thread runtime, run `fn` as its root, and always shut it down. */
export async function run<T>(fn: (rt: Runtime) => T | Promise<T>, opts: RunOptions = {}): Promise<T> {
  const rt = await Runtime.builder()
    .currentThread()
    .startPaused(opts.paused ?? false)
    .logger(opts.logger ?? 'silent')
    .build();
  try {
    return await rt.blockOn(() => fn(rt));
  } finally {
    await rt.shutdown();
  }
}

/** Like `run`, with the clock paused. */
export function runPaused<T>(fn: (rt: Runtime) => T | Promise<T>): Promise<T> {
  return run(fn, { paused: true });
}

/** A pino logger that records every line it writes, parsed (`trace` and up by default). */
export function captureLogger(level = 'trace'): CapturedLog {
  return captureLogs(level);
}

export { caught } from '../../support/outcomes.js';

/** A real-time wait on a foreign timer (outside the runtime's clock). */
export function realDelay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
