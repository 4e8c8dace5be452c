import { describe, it, expect } from 'vitest';
import { Notify, spawn, timeout, Elapsed } from '@skein/core';
import { settle, withRuntime, rejection } from './helpers.js';

async function waiters(n: Notify, count: number, log: number[]) {
  const hs = Array.from({ length: count }, (_, i) =>
    spawn(async () => {
      await n.notified();
      log.push(i);
    }),
  );
  await settle();
  return hs;
}

describe('Notify', () => {
  it('stores one permit when nobody waits (at most one)', async () => {
    await withRuntime(
      async () => {
        const n = new Notify();
        n.notifyOne();
        n.notifyOne();
        await n.notified();
        expect(await rejection(timeout(10, () => n.notified()))).toBeInstanceOf(Elapsed);
      },
      { paused: true },
    );
  });

  it('notifyOne wakes waiters FIFO; notifyLast LIFO', async () => {
    await withRuntime(async () => {
      const n = new Notify();
      const log: number[] = [];
      await waiters(n, 4, log);
      n.notifyOne();
      await settle();
      n.notifyOne();
      await settle();
      expect(log).toEqual([0, 1]);
      n.notifyLast();
      await settle();
      expect(log).toEqual([0, 1, 3]);
      n.notifyOne();
      await settle();
      expect(log).toEqual([0, 1, 3, 2]);
    });
  });

  it('notifyWaiters wakes everyone waiting now and stores no permit', async () => {
    await withRuntime(
      async () => {
        const n = new Notify();
        const log: number[] = [];
        const hs = await waiters(n, 5, log);
        expect(n.waiterCount()).toBe(5);
        n.notifyWaiters();
        for (const h of hs) await h;
        expect(log).toEqual([0, 1, 2, 3, 4]);
        expect(await rejection(timeout(10, () => n.notified()))).toBeInstanceOf(Elapsed);
      },
      { paused: true },
    );
  });

  it('notified() registers at call time: a later notifyWaiters reaches it', async () => {
    const n = new Notify();
    const p = n.notified();
    n.notifyWaiters();
    await p;
  });

  it('a waiter cancelled before the notification just leaves the queue', async () => {
    await withRuntime(async () => {
      const n = new Notify();
      const log: number[] = [];
      const [a] = await waiters(n, 2, log);
      a!.abort();
      await settle();
      n.notifyOne();
      await settle();
      expect(log).toEqual([1]);
    });
  });

  it('a waiter notified by notifyOne but cancelled before it ran passes the notification on', async () => {
    await withRuntime(async () => {
      const n = new Notify();
      const log: number[] = [];
      const [a] = await waiters(n, 3, log);
      n.notifyOne(); // picks waiter 0…
      a!.abort(); // …which is cancelled before resuming
      await settle();
      expect(log).toEqual([1]);
    });
  });

  it('with nobody left, a passed-on notification is stored', async () => {
    await withRuntime(async () => {
      const n = new Notify();
      const a = spawn(() => n.notified());
      await settle();
      n.notifyOne();
      a.abort();
      await settle();
      await n.notified(); // the stored permit
    });
  });

  it('a notifyWaiters wake-up is not passed on when cancelled', async () => {
    await withRuntime(
      async () => {
        const n = new Notify();
        const log: number[] = [];
        const [a] = await waiters(n, 1, log);
        n.notifyWaiters();
        a!.abort();
        await settle();
        expect(await rejection(timeout(10, () => n.notified()))).toBeInstanceOf(Elapsed);
      },
      { paused: true },
    );
  });

  it('timeout on notified() leaves the queue clean', async () => {
    await withRuntime(
      async () => {
        const n = new Notify();
        expect(await rejection(timeout(5, () => n.notified()))).toBeInstanceOf(Elapsed);
        expect(n.waiterCount()).toBe(0);
        n.notifyOne();
        await n.notified();
      },
      { paused: true },
    );
  });
});
