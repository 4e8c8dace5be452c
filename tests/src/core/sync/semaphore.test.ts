import { describe, it, expect } from 'vitest';
import {
  Semaphore,
  Permit,
  SemaphorePermit,
  spawn,
  timeout,
  sleep,
  Elapsed,
  AcquireError,
  type TryAcquireError,
  AlreadyReleasedError,
  SkeinError,
} from '@skein/core';
import { settle, withRuntime, thrown, rejection } from './helpers.js';

describe('Semaphore', () => {
  it('an acquire granted but not yet resumed when the semaphore closes fails and returns its permits (Tokio)', async () => {
    await withRuntime(async () => {
      const sem = new Semaphore(1);
      const held = sem.tryAcquire();
      const a = spawn(() => rejection(sem.acquire()));
      await settle();
      held.release(); // grants a's acquire; a has not resumed
      sem.close();
      expect(await a).toBeInstanceOf(AcquireError);
      expect(sem.availablePermits()).toBe(1);
    });
  });

  it('is strict FIFO: a pending acquire(5) takes the 4 free permits and blocks a later acquire(3)', async () => {
    await withRuntime(async () => {
      const sem = new Semaphore(4);
      const order: string[] = [];
      const big = sem.acquire(5).then((p) => {
        order.push('big');
        return p;
      });
      const small = sem.acquire(3).then((p) => {
        order.push('small');
        return p;
      });
      expect(sem.availablePermits()).toBe(0);
      expect((thrown(() => sem.tryAcquire(1)) as TryAcquireError).kind).toBe('noPermits');
      await settle();
      expect(order).toEqual([]);
      sem.addPermits(1);
      const pBig = await big;
      expect(pBig.numPermits()).toBe(5);
      await settle();
      expect(order).toEqual(['big']);
      pBig.release();
      const pSmall = await small;
      expect(order).toEqual(['big', 'small']);
      expect(sem.availablePermits()).toBe(2);
      pSmall.release();
      expect(sem.availablePermits()).toBe(5);
    });
  });

  it('wakes waiters in arrival order', async () => {
    await withRuntime(async () => {
      const sem = new Semaphore(0);
      const order: number[] = [];
      const hs = Array.from({ length: 10 }, (_, i) =>
        spawn(async () => {
          const p = await sem.acquire();
          order.push(i);
          p.release();
        }),
      );
      await settle();
      sem.addPermits(1);
      for (const h of hs) await h;
      expect(order).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
      expect(sem.availablePermits()).toBe(1);
    });
  });

  it('a cancelled partial acquire gives its assigned permits back', async () => {
    await withRuntime(async () => {
      const sem = new Semaphore(3);
      const held = await sem.acquire(1);
      const t = spawn(() => sem.acquire(3)); // takes the 2 free, waits for 1 more
      await settle();
      expect(sem.availablePermits()).toBe(0);
      const u = spawn(async () => {
        const p = await sem.acquire(2);
        const n = p.numPermits();
        p.release();
        return n;
      });
      await settle();
      t.abort();
      expect(await u).toBe(2);
      expect(sem.availablePermits()).toBe(2);
      held.release();
      expect(sem.availablePermits()).toBe(3);
    });
  });

  it('an acquire cancelled after it was granted returns every permit', async () => {
    await withRuntime(async () => {
      const sem = new Semaphore(2);
      const p = await sem.acquire(2);
      const t = spawn(() => sem.acquire(2));
      await settle();
      p.release(); // grants t
      t.abort(); // before t resumed
      await settle();
      expect(sem.availablePermits()).toBe(2);
    });
  });

  it('timeout on acquire leaks nothing', async () => {
    await withRuntime(
      async () => {
        const sem = new Semaphore(1);
        const p = await sem.acquire();
        expect(await rejection(timeout(10, () => sem.acquire()))).toBeInstanceOf(Elapsed);
        p.release();
        expect(sem.availablePermits()).toBe(1);
      },
      { paused: true },
    );
  });

  it('close fails waiters and later acquires; held permits still come back', async () => {
    await withRuntime(async () => {
      const sem = new Semaphore(1);
      const p = await sem.acquire();
      const w = sem.acquire(2);
      sem.close();
      expect(sem.isClosed()).toBe(true);
      const e = await rejection(w);
      expect(e).toBeInstanceOf(AcquireError);
      expect((e as SkeinError).code).toBe('ERR_SKEIN_SEMAPHORE_CLOSED');
      expect(await rejection(sem.acquire())).toBeInstanceOf(AcquireError);
      expect((thrown(() => sem.tryAcquire()) as TryAcquireError).kind).toBe('closed');
      p.release();
      expect(sem.availablePermits()).toBe(1);
    });
  });

  it('rejects bad input with RangeError + code', () => {
    for (const bad of [-1, 1.5, Semaphore.MAX_PERMITS + 1, Infinity]) {
      const e = thrown(() => new Semaphore(bad)) as RangeError & { code: string };
      expect(e).toBeInstanceOf(RangeError);
      expect(e.code).toBe('ERR_OUT_OF_RANGE');
    }
    expect(thrown(() => new Semaphore('3' as unknown as number))).toBeInstanceOf(TypeError);
    const sem = new Semaphore(Semaphore.MAX_PERMITS);
    expect(Semaphore.MAX_PERMITS).toBe(2 ** 29 - 1);
    expect(thrown(() => sem.addPermits(1))).toBeInstanceOf(RangeError);
    expect(thrown(() => sem.acquire(-1))).toBeInstanceOf(RangeError);
    expect(thrown(() => sem.tryAcquire(0.5))).toBeInstanceOf(RangeError);
  });

  it('permits: release once, forget, split, merge, dispose', async () => {
    await withRuntime(async () => {
      const sem = new Semaphore(5);
      const p = sem.tryAcquire(2);
      expect(p).toBeInstanceOf(Permit);
      expect(p).toBeInstanceOf(SemaphorePermit);
      p.release();
      const e = thrown(() => p.release());
      expect(e).toBeInstanceOf(AlreadyReleasedError);
      expect(e).toBeInstanceOf(SkeinError);
      p[Symbol.dispose](); // idempotent after release
      const f = sem.tryAcquire(1);
      f.forget();
      expect(sem.availablePermits()).toBe(4);
      expect(() => f.release()).toThrow(AlreadyReleasedError);
      const q = await sem.acquire(4);
      const part = q.split(1)!;
      expect(q.numPermits()).toBe(3);
      part.release();
      expect(sem.availablePermits()).toBe(1);
      const r = sem.tryAcquire(1);
      q.merge(r);
      expect(q.numPermits()).toBe(4);
      {
        using _held = q;
        expect(sem.availablePermits()).toBe(0);
      }
      expect(sem.availablePermits()).toBe(4);
      expect(sem.forgetPermits(10)).toBe(4);
      expect(sem.availablePermits()).toBe(0);
    });
  });

  it('acquire(0) resolves at once', async () => {
    const sem = new Semaphore(0);
    const p = await sem.acquire(0);
    expect(p.numPermits()).toBe(0);
    p.release();
  });

  it('limits concurrency to the permit count', async () => {
    await withRuntime(
      async () => {
        const sem = new Semaphore(3);
        let active = 0;
        let peak = 0;
        const hs = Array.from({ length: 30 }, (_, i) =>
          spawn(async () => {
            using _p = await sem.acquire();
            active++;
            peak = Math.max(peak, active);
            await sleep(1 + (i % 4));
            active--;
          }),
        );
        for (const h of hs) await h;
        expect(peak).toBe(3);
        expect(sem.availablePermits()).toBe(3);
      },
      { paused: true },
    );
  });
});
