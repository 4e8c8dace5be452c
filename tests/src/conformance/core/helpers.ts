/**
 * Shared helpers for the @skein/core conformance suite. Only the public exports are used.
 */
import { Writable } from 'node:stream';
import pino from 'pino';
import { Runtime } from '@skein/core';

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

/** A pino logger that records every line it writes, parsed. */
export function captureLogger(level = 'trace'): { logger: pino.Logger; lines: Array<Record<string, unknown>> } {
  const lines: Array<Record<string, unknown>> = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, cb) {
      for (const line of chunk.toString('utf8').split('\n')) {
        if (line.trim() !== '') lines.push(JSON.parse(line) as Record<string, unknown>);
      }
      cb();
    },
  });
  return { logger: pino({ level }, stream), lines };
}

/** Call `f` and return what it threw synchronously or what its promise rejected with. */
export async function caught(f: () => unknown): Promise<unknown> {
  try {
    await f();
  } catch (error) {
    return error;
  }
  throw new Error('expected the call to throw or reject, but it succeeded');
}

/** A real-time wait on a foreign timer (outside the runtime's clock). */
export function realDelay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
