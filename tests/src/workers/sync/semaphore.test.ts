import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AcquireError, Runtime, TryAcquireError, spawn } from '@skein/core';
import { SharedMutex, SharedSemaphore } from '@skein/workers';
import { churn, parkOnBoth } from './fixtures/lock_tasks.js';

function ints(n: number): Int32Array {
  return new Int32Array(new SharedArrayBuffer(n * 4));
}

/** A deterministic pseudo-random sequence, so a failure replays. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

describe('SharedSemaphore across worker threads', () => {
  let rt: Runtime;
  beforeAll(async () => {
    rt = await Runtime.builder().multiThread().workerThreads(3).logger('silent').build();
  });
  afterAll(async () => {
    await rt.shutdown();
  });

  it('conserves permits: never more than `permits` in use, all back at the end', async () => {
    const sem = new SharedSemaphore(5);
    const use = ints(2);
    const done = await rt.blockOn(async () => {
      const hs = Array.from({ length: 12 }, () => spawn(churn, sem, 5, 3, 60, use));
      let n = 0;
      for (const h of hs) n += await h;
      return n;
    });
    expect(done).toBe(12 * 60);
    expect(Atomics.load(use, 1)).toBe(0);
    expect(sem.availablePermits()).toBe(5);
  });

  it('queues more waiters than it has nodes for (maxQueued) and still serves them all', async () => {
    const sem = new SharedSemaphore(1, { maxQueued: 2 });
    const use = ints(2);
    await rt.blockOn(async () => {
      await Promise.all(Array.from({ length: 10 }, () => spawn(churn, sem, 1, 1, 20, use)));
    });
    expect(Atomics.load(use, 1)).toBe(0);
    expect(sem.availablePermits()).toBe(1);
  });

  it('tasks aborted at random moments while parked in lock/acquire leak no permit', async () => {
    const random = rng(14);
    const m = new SharedMutex(0);
    const sem = new SharedSemaphore(4);
    await rt.blockOn(async () => {
      for (let round = 0; round < 5; round++) {
        const hs = Array.from({ length: 16 }, (_, i) => spawn(parkOnBoth, m, sem, 1 + (i % 4)));
        const victims = hs.filter(() => random() < 0.5);
        await new Promise((r) => setTimeout(r, Math.floor(random() * 5)));
        for (const h of victims) h.abort();
        for (const h of hs) await h.catch(() => undefined);
      }
    });
    expect(sem.availablePermits()).toBe(4);
    expect(m.isLocked()).toBe(false);
  });

  it('close fails waiters on other threads and later acquires; tryAcquire says why', async () => {
    const sem = new SharedSemaphore(1);
    const use = ints(2);
    await rt.blockOn(async () => {
      const held = sem.tryAcquire();
      expect(() => sem.tryAcquire()).toThrow(TryAcquireError);
      const h = spawn(churn, sem, 1, 1, 1, use);
      await new Promise((r) => setTimeout(r, 20));
      sem.close();
      const err = await h.catch((e: unknown) => e);
      expect((err as { cause?: unknown }).cause).toBeInstanceOf(AcquireError);
      held.release();
    });
    expect(sem.isClosed()).toBe(true);
    await expect(sem.acquire()).rejects.toBeInstanceOf(AcquireError);
    try {
      sem.tryAcquire();
    } catch (e) {
      expect((e as TryAcquireError).kind).toBe('closed');
    }
    expect(() => sem.blockingAcquire()).toThrow(AcquireError);
  });

  it('is FIFO in permits: a queued big request holds back a later small one', async () => {
    const sem = new SharedSemaphore(2);
    const order: string[] = [];
    const p1 = sem.tryAcquire(2);
    const big = sem.acquire(2).then((p) => {
      order.push('big');
      p.release();
    });
    const small = sem.acquire(1).then((p) => {
      order.push('small');
      p.release();
    });
    await new Promise((r) => setTimeout(r, 5));
    expect(order).toEqual([]);
    p1.release();
    await Promise.all([big, small]);
    expect(order).toEqual(['big', 'small']);
    expect(sem.availablePermits()).toBe(2);
    sem.addPermits(3);
    expect(sem.forgetPermits(10)).toBe(5);
    expect(() => new SharedSemaphore(-1)).toThrow(RangeError);
  });
});
