import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AlreadyReleasedError, Runtime, SerializationError, TryLockError, spawn } from '@skein/core';
import { SharedMutex } from '@skein/workers';
import { bump, bumpNested, holdFor, isLock, lockValue } from './fixtures/lock_tasks.js';

function ints(n: number): Int32Array {
  return new Int32Array(new SharedArrayBuffer(n * 4));
}

describe('SharedMutex across worker threads', () => {
  let rt: Runtime;
  beforeAll(async () => {
    rt = await Runtime.builder().multiThread().workerThreads(4).logger('silent').build();
  });
  afterAll(async () => {
    await rt.shutdown();
  });

  it('keeps a counter exact under contention from 8 tasks on 4 workers and the main thread', async () => {
    const m = new SharedMutex(0);
    const inside = ints(2);
    const total = await rt.blockOn(async () => {
      const hs = Array.from({ length: 8 }, () => spawn(bump, m, 150, inside));
      let n = 0;
      for (let i = 0; i < 150; i++) {
        using g = await m.lock();
        if (Atomics.add(inside, 0, 1) !== 0) Atomics.add(inside, 1, 1);
        g.value = g.value + 1;
        Atomics.sub(inside, 0, 1);
        n++;
      }
      for (const h of hs) n += await h;
      return n;
    });
    expect(total).toBe(9 * 150);
    expect(Atomics.load(inside, 1)).toBe(0); // never two holders at once
    expect(m.tryLock().value).toBe(9 * 150);
  });

  it('crosses nested inside plain data', async () => {
    const m = new SharedMutex(10);
    await rt.blockOn(async () => {
      await Promise.all([spawn(bumpNested, { locks: [m], times: 20 }), spawn(bumpNested, { locks: [m], times: 20 })]);
    });
    expect(m.tryLock().value).toBe(50);
    expect(await rt.spawn(isLock, m)).toBe(true);
  });

  it('refuses a handle in a value that takes the v8 path instead of handing the task {}', async () => {
    const m = new SharedMutex(0);
    const cyclic: Record<string, unknown> = { m };
    cyclic.self = cyclic;
    await rt.blockOn(async () => {
      expect(() => spawn(isLock, cyclic as never)).toThrow(SerializationError);
    });
  });

  it('tryLock fails while a worker task holds it; lock waits for it (the main thread keeps running)', async () => {
    const m = new SharedMutex(7);
    const flag = ints(1);
    await rt.blockOn(async () => {
      const h = spawn(holdFor, m, 30, flag);
      while (Atomics.load(flag, 0) === 0) await new Promise((r) => setTimeout(r, 1));
      expect(() => m.tryLock()).toThrow(TryLockError);
      expect(m.isLocked()).toBe(true);
      let ticks = 0;
      const timer = setInterval(() => ticks++, 1);
      using g = await m.lock();
      clearInterval(timer);
      expect(ticks).toBeGreaterThan(0); // the await parked the task, not the thread
      expect(g.value).toBe(7);
      expect(await h).toBe(7);
    });
  });

  it('an aborted lock() leaves the queue; the lock goes to the next waiter', async () => {
    const m = new SharedMutex(1);
    await rt.blockOn(async () => {
      const g = await m.lock();
      const parked = Array.from({ length: 6 }, () => spawn(lockValue, m));
      await new Promise((r) => setTimeout(r, 20));
      for (let i = 0; i < parked.length; i += 2) parked[i]!.abort();
      g.value = 5;
      g.release();
      for (let i = 0; i < parked.length; i++) {
        if (i % 2 === 0) await parked[i]!.catch(() => undefined);
        else expect(await parked[i]).toBe(5);
      }
    });
    expect(m.isLocked()).toBe(false);
  });

  it('values cross by structured clone; bad values throw at the call and store nothing', () => {
    const m = new SharedMutex<unknown>({ a: [1, 2], d: new Date(5) }, { maxBytes: 64 });
    const g = m.tryLock();
    expect(g.value).toEqual({ a: [1, 2], d: new Date(5) });
    expect(() => {
      g.value = () => 1;
    }).toThrow(SerializationError);
    expect(() => {
      g.value = 'x'.repeat(100);
    }).toThrow(RangeError);
    g.value = new Map([[1, 'one']]);
    g.release();
    expect(() => g.value).toThrow(AlreadyReleasedError);
    expect(() => g.release()).toThrow(AlreadyReleasedError);
    g[Symbol.dispose]();
    expect(m.tryLock().value).toEqual(new Map([[1, 'one']]));
    expect(() => new SharedMutex(Symbol('no'))).toThrow(SerializationError);
    expect(() => new SharedMutex(0, { maxBytes: 0 })).toThrow(RangeError);
  });

  it('is a plain lock without a value', () => {
    const m = new SharedMutex();
    const g = m.tryLock();
    expect(g.value).toBeUndefined();
    expect(() => m.tryLock()).toThrow(TryLockError);
    g.release();
    m.blockingLock().release();
  });
});
