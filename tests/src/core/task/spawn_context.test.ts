/**
 * A spawned task starts in the async context @skein/core was loaded in, not in the context
 * of whichever task's drain happens to poll it: AsyncLocalStorage values around `spawn()`
 * don't reach the task (as task-locals don't, and as a Tokio task doesn't inherit a tracing
 * span). Before, the first task to schedule a drain lent its context to every task the drain
 * started, so one request's values leaked into another's tasks.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { describe, expect, it } from 'vitest';
import { currentTask, sleep, spawn } from '@skein/core';
import { withRuntime } from '../sync/helpers.js';

describe('the context a spawned task starts in', () => {
  it("never carries another task's AsyncLocalStorage values", async () => {
    const als = new AsyncLocalStorage<string>();
    await withRuntime(async () => {
      // Resumed by a timer, so the first spawn below schedules the drain (in its context).
      await sleep(1);
      // Two spawns in one tick, from two contexts: one drain starts both tasks.
      const a = als.run('request A', () => spawn(() => als.getStore()));
      const b = als.run('request B', () => spawn(() => als.getStore()));
      expect([await a, await b]).toEqual([undefined, undefined]);
    });
  });

  it('keeps what the task enters itself across runtime awaits, with the task current', async () => {
    const als = new AsyncLocalStorage<string>();
    await withRuntime(async () => {
      const h = spawn(() =>
        als.run('mine', async () => {
          const id = currentTask()!.id;
          await sleep(1);
          await Promise.resolve();
          return [als.getStore(), currentTask()?.id === id];
        }),
      );
      expect(await h).toEqual(['mine', true]);
    });
  });
});
