/**
 * TaskTracker: counts tracked tasks; wait() resolves once the tracker is closed and empty.
 */
import { describe, it, expect, beforeEach, afterEach } from 'vitest';
import {
  Runtime,
  TaskTracker,
  JoinHandle,
  sleep,
  spawn,
  yieldNow,
  Instant,
  Cancelled,
  type JoinError,
} from '@skein/core';
import { add } from '../runtime/fixtures/tasks.js';

let rt: Runtime;
beforeEach(async () => {
  rt = await Runtime.builder().startPaused(true).logger('silent').build();
});
afterEach(async () => {
  await rt.shutdown();
});

describe('TaskTracker', () => {
  it("spawn returns the task's JoinHandle and counts it until it finishes", async () => {
    await rt.blockOn(async () => {
      const tracker = new TaskTracker();
      expect(tracker.size).toBe(0);
      const h1 = tracker.spawn(async () => {
        await sleep(10);
        return 'a';
      });
      const h2 = tracker.spawn(add, 2, 3);
      expect(h1).toBeInstanceOf(JoinHandle);
      expect(tracker.size).toBe(2);
      expect(await h2).toBe(5);
      expect(tracker.size).toBe(1);
      expect(await h1).toBe('a');
      expect(tracker.size).toBe(0);
    });
  });

  it('wait() resolves only once the tracker is closed and every task has finished', async () => {
    await rt.blockOn(async () => {
      const t0 = Instant.now();
      const tracker = new TaskTracker();
      expect(tracker.isClosed()).toBe(false);
      for (const d of [10, 30, 20])
        tracker.spawn(async () => {
          await sleep(d);
        });
      let waited = -1;
      const waiter = spawn(async () => {
        await tracker.wait();
        waited = Instant.now() - t0;
      });
      await sleep(40);
      // Every task is done, but the tracker isn't closed: still waiting.
      expect(tracker.size).toBe(0);
      expect(waited).toBe(-1);
      expect(tracker.close()).toBe(true);
      expect(tracker.close()).toBe(false); // already closed
      expect(tracker.isClosed()).toBe(true);
      await waiter;
      expect(waited).toBe(40);
    });
  });

  it('closed early, wait() resolves when the last task finishes', async () => {
    await rt.blockOn(async () => {
      const t0 = Instant.now();
      const tracker = new TaskTracker();
      tracker.spawn(() => sleep(15));
      tracker.spawnLocal(() => sleep(25));
      tracker.close();
      // Tasks may still be added after close().
      tracker.spawn(() => sleep(35));
      expect(tracker.size).toBe(3);
      await tracker.wait();
      expect(Instant.now()).toBe(t0 + 35);
      expect(tracker.size).toBe(0);
      // Closed and empty: resolves at once.
      await tracker.wait();
    });
  });

  it('failed and aborted tasks count as finished', async () => {
    await rt.blockOn(async () => {
      const tracker = new TaskTracker();
      const failing = tracker.spawn(async () => {
        await sleep(5);
        throw new Error('x');
      });
      const stuck = tracker.spawn(() => sleep(1e9));
      tracker.close();
      await yieldNow();
      stuck.abort();
      await tracker.wait();
      expect(
        (
          (await failing.then(
            () => null,
            (e: unknown) => e,
          )) as JoinError
        ).isPanic(),
      ).toBe(true);
      expect(tracker.size).toBe(0);
    });
  });

  it('track() counts any promise until it settles', async () => {
    await rt.blockOn(async () => {
      const tracker = new TaskTracker();
      const p = sleep(10);
      expect(tracker.track(p)).toBe(p);
      expect(tracker.size).toBe(1);
      tracker.close();
      await tracker.wait();
      expect(tracker.size).toBe(0);
    });
  });

  it('reopen() makes wait() block again', async () => {
    await rt.blockOn(async () => {
      const tracker = new TaskTracker();
      tracker.close();
      await tracker.wait();
      expect(tracker.reopen()).toBe(true);
      expect(tracker.isClosed()).toBe(false);
      let done = false;
      const h = spawn(async () => {
        await tracker.wait();
        done = true;
      });
      await sleep(5);
      expect(done).toBe(false);
      tracker.close();
      await h;
      expect(done).toBe(true);
    });
  });

  it('wait() is cancellable', async () => {
    await rt.blockOn(async () => {
      const tracker = new TaskTracker();
      tracker.spawn(() => sleep(100));
      let err: unknown;
      const h = spawn(async () => {
        try {
          await tracker.wait();
        } catch (e) {
          err = e;
          throw e;
        }
      });
      await yieldNow();
      h.abort();
      await h.then(
        () => undefined,
        () => undefined,
      );
      await yieldNow();
      expect(err).toBeInstanceOf(Cancelled);
    });
  });

  it('in an aborted task, even a ready wait() rejects with Cancelled', async () => {
    await rt.blockOn(async () => {
      const tracker = new TaskTracker();
      tracker.close();
      let err: unknown;
      const h = spawn(async () => {
        try {
          await sleep(1000);
        } catch {
          /* the abort */
        }
        try {
          await tracker.wait();
        } catch (e) {
          err = e;
        }
      });
      await yieldNow();
      h.abort();
      await sleep(1);
      expect(err).toBeInstanceOf(Cancelled);
    });
  });
});
