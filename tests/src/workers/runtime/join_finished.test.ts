import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JoinHandle, Runtime } from '@skein/core';
import { inc } from './fixtures/basic.js';
import { blockingProduct } from './fixtures/features.js';
import { awaitPosition } from '../../support/outcomes.js';
import { multiThread } from './helpers.js';

/**
 * `await` on the handle of a task that ran on another thread, once its outcome is here,
 * takes V8's native path as a local task's does (the JoinHandle `constructor` getter): it
 * resumes where `await` on a resolved promise resumes. Through `then` it would resume
 * three microtasks later, so each order below fails without that path.
 */
describe('joining a finished task of another thread', () => {
  let rt: Runtime;
  beforeAll(async () => {
    rt = await multiThread(2);
  });
  afterAll(async () => {
    await rt.shutdown();
  });

  /** Wait until `h` has its outcome. (Returning the handle from here would adopt it.) */
  async function settle(h: JoinHandle<unknown>): Promise<void> {
    await h;
    expect(h.isFinished()).toBe(true);
  }

  it('resumes an await on a worker task as on a resolved promise', async () => {
    await rt.blockOn(async () => {
      const h = rt.spawn(inc, 6);
      await settle(h);
      expect(await awaitPosition(h)).toEqual(await awaitPosition(Promise.resolve(7)));
    });
  });

  it('resumes an await on a blocking-pool job as on a resolved promise', async () => {
    await rt.blockOn(async () => {
      const h = rt.spawnBlocking(blockingProduct, 6, 7);
      await settle(h);
      const value = await h;
      expect(await awaitPosition(h)).toEqual(await awaitPosition(Promise.resolve(value)));
    });
  });

  it('still charges the budget: a loop over a finished worker task lets the event loop turn', async () => {
    const turned = await rt.blockOn(async () => {
      const h = rt.spawn(inc, 1);
      await settle(h);
      let immediate = false;
      setImmediate(() => {
        immediate = true;
      });
      for (let i = 0; i < 1000; i++) await h;
      return immediate;
    });
    expect(turned).toBe(true);
  });
});
