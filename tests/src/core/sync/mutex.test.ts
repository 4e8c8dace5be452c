import { describe, it, expect } from 'vitest';
import {
  Mutex,
  MutexGuard,
  spawn,
  timeout,
  sleep,
  select,
  Elapsed,
  Cancelled,
  JoinError,
  SkeinError,
  AlreadyReleasedError,
  TryLockError,
} from '@skein/core';
import { settle, withRuntime, thrown, rejection } from './helpers.js';

describe('Mutex', () => {
  it('hands the lock over in FIFO order', async () => {
    await withRuntime(async () => {
      const m = new Mutex<number[]>([]);
      const first = await m.lock();
      const hs = [];
      for (let i = 0; i < 20; i++) {
        hs.push(
          spawn(async () => {
            const g = await m.lock();
            g.value.push(i);
            await settle(1);
            g.release();
          }),
        );
      }
      await settle();
      expect(m.isLocked()).toBe(true);
      first.release();
      for (const h of hs) await h;
      const g = m.tryLock();
      expect(g.value).toEqual(Array.from({ length: 20 }, (_, i) => i));
      g.release();
    });
  });

  it('guards get and set the value; tryLock throws TryLockError while held or queued', async () => {
    await withRuntime(async () => {
      const m = new Mutex({ n: 1 });
      const g = m.tryLock();
      expect(g).toBeInstanceOf(MutexGuard);
      g.value = { n: 2 };
      const e = thrown(() => m.tryLock());
      expect(e).toBeInstanceOf(TryLockError);
      expect(e).toBeInstanceOf(SkeinError);
      const waiting = m.lock();
      g.release();
      // The lock went straight to the queued waiter: no barging.
      expect(() => m.tryLock()).toThrow(TryLockError);
      const g2 = await waiting;
      expect(g2.value).toEqual({ n: 2 });
      g2.release();
      expect(m.isLocked()).toBe(false);
    });
  });

  it('double release throws AlreadyReleasedError; dispose is idempotent; using releases', async () => {
    await withRuntime(async () => {
      const m = new Mutex(0);
      const g = await m.lock();
      g.release();
      const e = thrown(() => g.release()) as SkeinError;
      expect(e).toBeInstanceOf(AlreadyReleasedError);
      expect(e).toBeInstanceOf(SkeinError);
      expect(e.code).toBe('ERR_SKEIN_ALREADY_RELEASED');
      expect(() => g.value).toThrow(AlreadyReleasedError);
      expect(() => {
        g.value = 3;
      }).toThrow(AlreadyReleasedError);
      g[Symbol.dispose]();
      {
        using g2 = await m.lock();
        g2.value = 5;
        expect(m.isLocked()).toBe(true);
      }
      expect(m.isLocked()).toBe(false);
      expect(m.tryLock().value).toBe(5);
    });
  });

  it('an aborted waiter leaves the queue without wedging the lock', async () => {
    await withRuntime(async () => {
      const m = new Mutex(0);
      const g = await m.lock();
      const order: string[] = [];
      let cleaned = false;
      const a = spawn(async () => {
        try {
          (await m.lock()).release();
          order.push('a');
        } finally {
          cleaned = true;
        }
      });
      const b = spawn(async () => {
        const gb = await m.lock();
        order.push('b');
        gb.release();
      });
      await settle();
      a.abort();
      const err = await rejection(a);
      expect(err).toBeInstanceOf(JoinError);
      expect((err as JoinError).isCancelled()).toBe(true);
      g.release();
      await b;
      expect(order).toEqual(['b']);
      expect(cleaned).toBe(true);
      expect(m.isLocked()).toBe(false);
    });
  });

  it('a waiter cancelled after the hand-off, before it resumed, passes the lock on', async () => {
    await withRuntime(async () => {
      const m = new Mutex(0);
      const g = await m.lock();
      let aGot = false;
      const a = spawn(async () => {
        await m.lock();
        aGot = true;
      });
      const b = spawn(async () => {
        const gb = await m.lock();
        gb.value = 7;
        gb.release();
      });
      await settle();
      g.release(); // hands the lock to a…
      a.abort(); // …which is cancelled before it runs
      await b;
      expect(aGot).toBe(false);
      expect(m.isLocked()).toBe(false);
      expect(m.tryLock().value).toBe(7);
    });
  });

  it('timeout() on a lock wait leaves the mutex usable', async () => {
    await withRuntime(
      async () => {
        const m = new Mutex('x');
        const g = await m.lock();
        const err = await rejection(timeout(20, () => m.lock()));
        expect(err).toBeInstanceOf(Elapsed);
        const late = spawn(() =>
          m.lock().then((g2) => {
            g2.release();
            return 'late';
          }),
        );
        await sleep(5);
        g.release();
        expect(await late).toBe('late');
        expect(m.isLocked()).toBe(false);
      },
      { paused: true },
    );
  });

  it('select: the losing lock branch is cancelled and the lock stays usable', async () => {
    await withRuntime(
      async () => {
        const m = new Mutex(0);
        const g = await m.lock();
        const r = await select({ lock: () => m.lock(), sleep: () => sleep(10).then(() => 'slept') });
        expect(r.key).toBe('sleep');
        g.release();
        const g2 = m.tryLock();
        g2.release();
      },
      { paused: true },
    );
  });

  it('a lock() in an already-cancelled task rejects with Cancelled and takes nothing', async () => {
    await withRuntime(async () => {
      const m = new Mutex(0);
      const g = await m.lock();
      let seen: unknown;
      const h = spawn(async () => {
        try {
          await sleep(1000);
        } catch {
          /* aborted */
        }
        try {
          await m.lock();
        } catch (e) {
          seen = e;
        }
      });
      await settle();
      h.abort();
      await settle();
      expect(seen).toBeInstanceOf(Cancelled);
      g.release();
      expect(m.isLocked()).toBe(false);
    });
  });

  it('a tight uncontended lock loop yields to the event loop (cooperative budget)', async () => {
    await withRuntime(async () => {
      const m = new Mutex(0);
      let immediates = 0;
      let stop = false;
      const tick = () => {
        immediates++;
        if (!stop) setImmediate(tick);
      };
      setImmediate(tick);
      for (let i = 0; i < 10_000; i++) {
        const g = await m.lock();
        g.value++;
        g.release();
      }
      stop = true;
      expect(immediates).toBeGreaterThan(10);
      expect(m.tryLock().value).toBe(10_000);
    });
  });

  it('works outside any runtime', async () => {
    const m = new Mutex(1);
    const g = await m.lock();
    const p = m.lock();
    g.value = 2;
    g.release();
    const g2 = await p;
    expect(g2.value).toBe(2);
    g2.release();
  });
});
