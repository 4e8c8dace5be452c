import { describe, it, expect } from 'vitest';
import { Notify, type JoinError, Elapsed, spawn, timeout, time } from '@skein/core';
import { withRuntime, settle, rejection, track } from './_support.js';

/** Spawn one waiter per name, each pushing its name to `log` once notified. */
async function waiters(n: Notify, names: string[], log: string[]) {
  const hs = names.map((name) =>
    spawn(async () => {
      await n.notified();
      log.push(name);
    }),
  );
  await settle();
  return hs;
}

describe('Notify', () => {
  it('notifyOne with nobody waiting stores one permit, not more', async () => {
    await withRuntime(async () => {
      const n = new Notify();
      n.notifyOne();
      n.notifyOne();
      await n.notified(); // consumes the stored permit at once
      const second = track(n.notified());
      await settle();
      expect(second.settled()).toBe(false);
      n.notifyOne();
      await settle();
      expect(second.settled()).toBe(true);
    });
  });

  it('notifyOne wakes waiters in FIFO order, one per call', async () => {
    await withRuntime(async () => {
      const n = new Notify();
      const log: string[] = [];
      const hs = await waiters(n, ['a', 'b', 'c'], log);
      n.notifyOne();
      await settle();
      expect(log).toEqual(['a']);
      n.notifyOne();
      n.notifyOne();
      await settle();
      expect(log).toEqual(['a', 'b', 'c']);
      for (const h of hs) await h;
    });
  });

  it('notifyLast wakes the most recent waiter', async () => {
    await withRuntime(async () => {
      const n = new Notify();
      const log: string[] = [];
      const hs = await waiters(n, ['a', 'b', 'c'], log);
      n.notifyLast();
      await settle();
      expect(log).toEqual(['c']);
      n.notifyLast();
      await settle();
      expect(log).toEqual(['c', 'b']);
      n.notifyOne();
      await settle();
      expect(log).toEqual(['c', 'b', 'a']);
      for (const h of hs) await h;
    });
  });

  it('notifyWaiters wakes every current waiter and stores no permit', async () => {
    await withRuntime(async () => {
      const n = new Notify();
      const log: string[] = [];
      const hs = await waiters(n, ['a', 'b', 'c'], log);
      n.notifyWaiters();
      await settle();
      expect([...log].sort()).toEqual(['a', 'b', 'c']);
      for (const h of hs) await h;
      n.notifyWaiters(); // nobody waiting: nothing is stored
      const later = track(n.notified());
      await settle();
      expect(later.settled()).toBe(false);
      n.notifyOne();
      await settle();
      expect(later.settled()).toBe(true);
    });
  });

  it('notified() registers when called: a notifyWaiters before the await still reaches it', async () => {
    await withRuntime(async () => {
      const n = new Notify();
      const p = n.notified();
      n.notifyWaiters();
      const t = track(p);
      await settle();
      expect(t.settled()).toBe(true);
    });
  });

  it('a waiter aborted while waiting leaves the queue; notifyOne goes to the next one', async () => {
    await withRuntime(async () => {
      const n = new Notify();
      const log: string[] = [];
      const [a, b] = await waiters(n, ['a', 'b'], log);
      a!.abort();
      expect(((await rejection(a!)) as JoinError).isCancelled()).toBe(true);
      n.notifyOne();
      await settle();
      expect(log).toEqual(['b']);
      await b;
      // The notification went to b, so no permit was stored.
      const later = track(n.notified());
      await settle();
      expect(later.settled()).toBe(false);
      n.notifyOne();
      await later.promise;
    });
  });

  it('a waiter picked by notifyOne and cancelled before it runs passes the notification on', async () => {
    await withRuntime(async () => {
      const n = new Notify();
      const log: string[] = [];
      const [a, b, c] = await waiters(n, ['a', 'b', 'c'], log);
      n.notifyOne(); // picks a
      a!.abort(); // before a resumes
      expect(((await rejection(a!)) as JoinError).isCancelled()).toBe(true);
      await settle();
      expect(log).toEqual(['b']);
      n.notifyOne();
      await settle();
      expect(log).toEqual(['b', 'c']);
      await b;
      await c;
    });
  });

  it('a notification passed on by a cancelled waiter with nobody behind it becomes the stored permit', async () => {
    await withRuntime(async () => {
      const n = new Notify();
      const [a] = await waiters(n, ['a'], []);
      n.notifyOne();
      a!.abort();
      await rejection(a!);
      const later = track(n.notified());
      await settle();
      expect(later.settled()).toBe(true);
    });
  });

  it('a notified() cut by timeout leaves the queue, so the next notifyOne is stored for the next waiter', async () => {
    await withRuntime(
      async () => {
        const n = new Notify();
        const t = track(timeout(10, () => n.notified()));
        await time.advance(10);
        await settle();
        expect(t.error()).toBeInstanceOf(Elapsed);
        n.notifyOne();
        const later = track(n.notified());
        await settle();
        expect(later.settled()).toBe(true);
      },
      { paused: true },
    );
  });
});
