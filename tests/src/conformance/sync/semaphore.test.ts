import { describe, it, expect } from 'vitest';
import {
  Semaphore,
  Permit,
  AcquireError,
  TryAcquireError,
  AlreadyReleasedError,
  type JoinError,
  Elapsed,
  spawn,
  timeout,
  time,
} from '@skein/core';
import { withRuntime, settle, thrown, rejection, expectSkein, track } from './_support.js';

describe('Semaphore', () => {
  it('acquire(n) takes n permits (default 1) and release() gives them back', async () => {
    await withRuntime(async () => {
      const s = new Semaphore(5);
      expect(s.availablePermits()).toBe(5);
      const one = await s.acquire();
      expect(one).toBeInstanceOf(Permit);
      expect(s.availablePermits()).toBe(4);
      const three = await s.acquire(3);
      expect(s.availablePermits()).toBe(1);
      three.release();
      expect(s.availablePermits()).toBe(4);
      one.release();
      expect(s.availablePermits()).toBe(5);
    });
  });

  it('tryAcquire: a Permit when enough are free, TryAcquireError noPermits / closed otherwise', async () => {
    await withRuntime(async () => {
      const s = new Semaphore(2);
      const p = s.tryAcquire(2);
      expect(s.availablePermits()).toBe(0);
      const e1 = expectSkein(
        thrown(() => s.tryAcquire()),
        TryAcquireError,
        'ERR_SKEIN_NO_PERMITS',
      );
      expect(e1.kind).toBe('noPermits');
      p.release();
      const q = s.tryAcquire();
      expect(s.availablePermits()).toBe(1);
      s.close();
      const e2 = expectSkein(
        thrown(() => s.tryAcquire()),
        TryAcquireError,
        'ERR_SKEIN_SEMAPHORE_CLOSED',
      );
      expect(e2.kind).toBe('closed');
      q.release();
    });
  });

  it('is strictly FIFO: a pending acquire(5) with 4 free blocks a later acquire(3)', async () => {
    await withRuntime(async () => {
      const s = new Semaphore(4);
      const log: string[] = [];
      const big = spawn(async () => {
        const p = await s.acquire(5);
        log.push('big');
        return p;
      });
      await settle();
      // Tokio's batch semaphore hands the 4 free permits to the queued request at once, so a
      // later, smaller request can't get ahead of it.
      expect(s.availablePermits()).toBe(0);
      expectSkein(
        thrown(() => s.tryAcquire(3)),
        TryAcquireError,
        'ERR_SKEIN_NO_PERMITS',
      );
      const small = spawn(async () => {
        const p = await s.acquire(3);
        log.push('small');
        return p;
      });
      await settle();
      expect(log).toEqual([]);
      s.addPermits(1);
      await settle();
      expect(log).toEqual(['big']);
      expect(s.availablePermits()).toBe(0);
      const bigPermit = await big;
      bigPermit.release();
      await settle();
      expect(log).toEqual(['big', 'small']);
      expect(s.availablePermits()).toBe(2);
      (await small).release();
      expect(s.availablePermits()).toBe(5);
    });
  });

  it('addPermits wakes waiters in queue order, only as far as the head can be served', async () => {
    await withRuntime(async () => {
      const s = new Semaphore(0);
      const log: string[] = [];
      const hs = (
        [
          ['a', 2],
          ['b', 1],
          ['c', 1],
        ] as const
      ).map(([name, n]) =>
        spawn(async () => {
          await s.acquire(n);
          log.push(name);
        }),
      );
      await settle();
      s.addPermits(1);
      await settle();
      expect(log).toEqual([]);
      s.addPermits(1);
      await settle();
      expect(log).toEqual(['a']);
      s.addPermits(2);
      await settle();
      expect(log).toEqual(['a', 'b', 'c']);
      for (const h of hs) await h;
      expect(s.availablePermits()).toBe(0);
      s.addPermits(3);
      expect(s.availablePermits()).toBe(3);
    });
  });

  it('forget() drops the permits for good; release after forget throws', async () => {
    await withRuntime(async () => {
      const s = new Semaphore(3);
      const p = await s.acquire(2);
      p.forget();
      expect(s.availablePermits()).toBe(1);
      p[Symbol.dispose]();
      expect(s.availablePermits()).toBe(1);
      expectSkein(
        thrown(() => p.release()),
        AlreadyReleasedError,
        'ERR_SKEIN_ALREADY_RELEASED',
      );
      expect(s.availablePermits()).toBe(1);
    });
  });

  it('releasing a permit twice throws, and does not add permits', async () => {
    await withRuntime(async () => {
      const s = new Semaphore(1);
      const p = await s.acquire();
      p.release();
      expectSkein(
        thrown(() => p.release()),
        AlreadyReleasedError,
        'ERR_SKEIN_ALREADY_RELEASED',
      );
      expect(s.availablePermits()).toBe(1);
    });
  });

  it('Symbol.dispose releases a permit (`using`)', async () => {
    await withRuntime(async () => {
      const s = new Semaphore(2);
      {
        using _p = await s.acquire(2);
        expect(s.availablePermits()).toBe(0);
      }
      expect(s.availablePermits()).toBe(2);
    });
  });

  it('close() wakes every waiter with AcquireError; later acquires reject too', async () => {
    await withRuntime(async () => {
      const s = new Semaphore(1);
      const held = await s.acquire();
      const w1 = track(s.acquire());
      const w2 = track(s.acquire(3));
      await settle();
      expect(s.isClosed()).toBe(false);
      s.close();
      expect(s.isClosed()).toBe(true);
      await settle();
      expectSkein(w1.error(), AcquireError, 'ERR_SKEIN_SEMAPHORE_CLOSED');
      expectSkein(w2.error(), AcquireError, 'ERR_SKEIN_SEMAPHORE_CLOSED');
      expectSkein(await rejection(s.acquire()), AcquireError, 'ERR_SKEIN_SEMAPHORE_CLOSED');
      held.release(); // releasing into a closed semaphore is fine
    });
  });

  it('a cancelled acquire gives back the permits it had partly taken', async () => {
    await withRuntime(async () => {
      const s = new Semaphore(3);
      const held = await s.acquire(1);
      const big = spawn(async () => {
        await s.acquire(3);
        return 'big';
      });
      await settle();
      const log: string[] = [];
      const small = spawn(async () => {
        const p = await s.acquire(2);
        log.push('small');
        return p;
      });
      await settle();
      expect(log).toEqual([]);
      big.abort();
      expect(((await rejection(big)) as JoinError).isCancelled()).toBe(true);
      await settle();
      expect(log).toEqual(['small']); // got in while `held` is still held
      expect(s.availablePermits()).toBe(0);
      held.release();
      (await small).release();
      expect(s.availablePermits()).toBe(3);
    });
  });

  it('a waiter aborted after its permits were assigned, before it resumed, gives them back', async () => {
    await withRuntime(async () => {
      const s = new Semaphore(2);
      const held = await s.acquire(2);
      const log: string[] = [];
      const a = spawn(async () => {
        await s.acquire(2);
        log.push('a');
      });
      const b = spawn(async () => {
        const p = await s.acquire(1);
        log.push('b');
        return p;
      });
      await settle();
      held.release(); // assigns both permits to a
      a.abort(); // a is cancelled before it resumes
      expect(((await rejection(a)) as JoinError).isCancelled()).toBe(true);
      await settle();
      expect(log).toEqual(['b']);
      expect(s.availablePermits()).toBe(1);
      (await b).release();
      expect(s.availablePermits()).toBe(2);
    });
  });

  it('an acquire cut by timeout rejects Elapsed and returns its partial permits', async () => {
    await withRuntime(
      async () => {
        const s = new Semaphore(2);
        const held = await s.acquire(1);
        const t = track(timeout(10, () => s.acquire(2)));
        await settle();
        await time.advance(10);
        await settle();
        expect(t.error()).toBeInstanceOf(Elapsed);
        expect(s.availablePermits()).toBe(1);
        const p = s.tryAcquire(1);
        held.release();
        p.release();
        expect(s.availablePermits()).toBe(2);
      },
      { paused: true },
    );
  });

  it('new Semaphore(-1) throws RangeError with a code', () => {
    const err = thrown(() => new Semaphore(-1));
    expect(err).toBeInstanceOf(RangeError);
    expect(typeof (err as { code?: unknown }).code).toBe('string');
    expect((err as { code: string }).code).toMatch(/^ERR_/);
  });
});
