/** Shared helpers of the task-tracking tests. */
import { afterEach } from 'vitest';
import { Runtime, type TaskDumpEntry } from '@skein/core';

/** Run after the current test (in reverse order of registration). */
export const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f();
});

export { captureLogs } from '../../support/logs.js';

/** A silent current-thread runtime, tracked or not, shut down after the test. */
export async function build(
  tracking: boolean,
  tune: (b: ReturnType<typeof Runtime.builder>) => void = () => undefined,
): Promise<Runtime> {
  const b = Runtime.builder().currentThread().logger('silent').taskTracking(tracking);
  tune(b);
  const rt = await b.build();
  cleanup.push(() => rt.shutdown());
  return rt;
}

/** Polls `f` until it gives a value. */
export async function until<T>(f: () => Promise<T | undefined>, what: string): Promise<T> {
  for (let i = 0; i < 2000; i++) {
    const v = await f();
    if (v !== undefined) return v;
    await new Promise((r) => setTimeout(r, 5));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** The dump entry of the task named `name`. */
export const byName = (d: TaskDumpEntry[], name: string): TaskDumpEntry => d.find((e) => e.name === name)!;
