import { describe, it, expect } from 'vitest';
import {
  Mutex,
  MutexGuard,
  TryLockError,
  AlreadyReleasedError,
  JoinError,
  Elapsed,
  spawn,
  timeout,
  time,
  yieldNow,
} from '@skein/core';
import { withRuntime, settle, thrown, rejection, expectSkein, track } from './_support.js';

describe('Mutex', () => {
  it('lock() resolves with a guard whose value can be read and written, and the write persists', async () => {
    await withRuntime(async () => {
      const m = new Mutex({ n: 1 });
      const g = await m.lock();
      expect(g).toBeInstanceOf(MutexGuard);
      expect(g.value).toEqual({ n: 1 });
      g.value = { n: 2 };
      g.release();
      const g2 = await m.lock();
      expect(g2.value).toEqual({ n: 2 });
      g2.release();
    });
  });

  it('tryLock() returns a guard when free and throws TryLockError (SkeinError, code) while held', async () => {
    await withRuntime(async () => {
      const m = new Mutex(5);
      const g = m.tryLock();
      expect(g.value).toBe(5);
      const err = thrown(() => m.tryLock());
      expectSkein(err, TryLockError, 'ERR_SKEIN_WOULD_BLOCK');
      g.release();
      const g2 = m.tryLock();
      expect(g2.value).toBe(5);
      g2.release();
    });
  });

  it('hands the lock to waiters in FIFO order', async () => {
    await withRuntime(async () => {
      const m = new Mutex<string[]>([]);
      const held = await m.lock();
      const handles = ['a', 'b', 'c', 'd'].map((name) => {
        const h = spawn(async () => {
          const g = await m.lock();
          g.value.push(name);
          await yieldNow();
          g.release();
        });
        return h;
      });
      // Spawned in one go: they run, and queue on lock(), in spawn order.
      await settle();
      held.release();
      for (const h of handles) await h;
      const g = await m.lock();
      expect(g.value).toEqual(['a', 'b', 'c', 'd']);
      g.release();
    });
  });

  it('a release with waiters queued passes the lock on directly: tryLock cannot barge in', async () => {
    await withRuntime(async () => {
      const m = new Mutex(0);
      const held = await m.lock();
      const order: string[] = [];
      const h = spawn(async () => {
        const g = await m.lock();
        order.push('waiter');
        g.release();
      });
      await settle();
      held.release();
      expectSkein(
        thrown(() => m.tryLock()),
        TryLockError,
        'ERR_SKEIN_WOULD_BLOCK',
      );
      await h;
      order.push('main');
      expect(order).toEqual(['waiter', 'main']);
      m.tryLock().release();
    });
  });

  it('gives mutual exclusion across awaits', async () => {
    await withRuntime(async () => {
      const m = new Mutex(0);
      let inside = 0;
      let maxInside = 0;
      const hs = Array.from({ length: 8 }, () =>
        spawn(async () => {
          for (let i = 0; i < 5; i++) {
            const g = await m.lock();
            inside++;
            maxInside = Math.max(maxInside, inside);
            const v = g.value;
            await yieldNow();
            g.value = v + 1;
            inside--;
            g.release();
          }
        }),
      );
      for (const h of hs) await h;
      expect(maxInside).toBe(1);
      expect(m.tryLock().value).toBe(40);
    });
  });

  it('releasing a guard twice throws a SkeinError subclass with a code', async () => {
    await withRuntime(async () => {
      const m = new Mutex(0);
      const g = await m.lock();
      g.release();
      expectSkein(
        thrown(() => g.release()),
        AlreadyReleasedError,
        'ERR_SKEIN_ALREADY_RELEASED',
      );
      // The double release did not add a second permit: one lock excludes another.
      const a = m.tryLock();
      expect(thrown(() => m.tryLock())).toBeInstanceOf(TryLockError);
      a.release();
    });
  });

  it('Symbol.dispose releases the guard (`using`), and is harmless after release()', async () => {
    await withRuntime(async () => {
      const m = new Mutex(1);
      {
        using g = await m.lock();
        g.value = 2;
        expect(thrown(() => m.tryLock())).toBeInstanceOf(TryLockError);
      }
      const g2 = m.tryLock();
      expect(g2.value).toBe(2);
      g2.release();
      g2[Symbol.dispose]();
      const g3 = m.tryLock();
      expect(thrown(() => m.tryLock())).toBeInstanceOf(TryLockError);
      g3[Symbol.dispose]();
      m.tryLock().release();
    });
  });

  it('a waiter aborted via JoinHandle.abort() leaves the queue; the next waiter gets the lock', async () => {
    await withRuntime(async () => {
      const m = new Mutex(0);
      const held = await m.lock();
      const order: string[] = [];
      const a = spawn(async () => {
        const g = await m.lock();
        order.push('a');
        g.release();
      });
      const b = spawn(async () => {
        const g = await m.lock();
        order.push('b');
        g.release();
      });
      await settle();
      a.abort();
      const err = await rejection(a);
      expect(err).toBeInstanceOf(JoinError);
      expect((err as JoinError).isCancelled()).toBe(true);
      held.release();
      await settle(); // assert before awaiting, so a wedged mutex fails fast instead of hanging
      expect(order).toEqual(['b']);
      await b;
      m.tryLock().release();
    });
  });

  it('a waiter aborted right after the lock was handed to it does not wedge the mutex', async () => {
    await withRuntime(async () => {
      const m = new Mutex(0);
      const held = await m.lock();
      const order: string[] = [];
      const a = spawn(async () => {
        const g = await m.lock();
        order.push('a');
        g.release();
      });
      const b = spawn(async () => {
        const g = await m.lock();
        order.push('b');
        g.release();
      });
      await settle();
      held.release(); // hands the lock to a
      a.abort(); // ...which is cancelled before it resumes
      expect(((await rejection(a)) as JoinError).isCancelled()).toBe(true);
      await settle();
      expect(order).toEqual(['b']);
      await b;
      m.tryLock().release();
    });
  });

  it('a lock() cut by timeout rejects Elapsed and leaves the queue', async () => {
    await withRuntime(
      async () => {
        const m = new Mutex(0);
        const held = await m.lock();
        const t = track(timeout(10, () => m.lock()));
        const later = track(m.lock());
        await time.advance(9);
        await settle();
        expect(t.settled()).toBe(false);
        await time.advance(1);
        await settle();
        expect(t.settled()).toBe(true);
        expect(t.error()).toBeInstanceOf(Elapsed);
        expect(later.settled()).toBe(false);
        held.release();
        const g = await later.promise;
        expect(g.value).toBe(0);
        g.release();
        m.tryLock().release();
      },
      { paused: true },
    );
  });

  it('a tight lock/release loop on a free mutex still lets setImmediate run (cooperative budget)', async () => {
    await withRuntime(async () => {
      const m = new Mutex(0);
      let ranAt = -1;
      let i = 0;
      setImmediate(() => {
        ranAt = i;
      });
      for (; i < 5000 && ranAt < 0; i++) {
        const g = await m.lock();
        g.value++;
        g.release();
      }
      expect(ranAt).toBeGreaterThanOrEqual(0);
      expect(i).toBeLessThan(5000);
    });
  });
});
