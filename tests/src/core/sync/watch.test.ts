import { describe, it, expect } from 'vitest';
import { watch, spawn, timeout, Elapsed, RecvError, SendError, WatchSender, WatchReceiver } from '@skein/core';
import { settle, withRuntime, thrown, rejection } from './helpers.js';

describe('watch', () => {
  it('Sender.closed() checks the receiver count again on wake-up: a subscribe() before it resumed keeps it waiting (Tokio)', async () => {
    await withRuntime(async () => {
      const [tx, rx] = watch.channel<number>(0);
      const h = spawn(async () => {
        await tx.closed();
        return tx.receiverCount();
      });
      await settle();
      rx.close(); // wakes h; h has not resumed
      const late = tx.subscribe();
      await settle();
      expect(h.isFinished()).toBe(false);
      late.close();
      expect(await h).toBe(0);
    });
  });

  it('the initial value counts as seen: changed() waits for the first send', async () => {
    await withRuntime(
      async () => {
        const [tx, rx] = watch.channel('init');
        expect(tx).toBeInstanceOf(WatchSender);
        expect(rx).toBeInstanceOf(WatchReceiver);
        expect(rx.hasChanged()).toBe(false);
        expect(rx.borrow()).toBe('init');
        expect(await rejection(timeout(5, () => rx.changed()))).toBeInstanceOf(Elapsed);
        const h = spawn(async () => {
          await rx.changed();
          return rx.borrowAndUpdate();
        });
        await settle();
        tx.send('a');
        expect(await h).toBe('a');
        expect(rx.hasChanged()).toBe(false);
      },
      { paused: true },
    );
  });

  it('only the latest value is kept; changed() resolves at once for an unseen value', async () => {
    await withRuntime(async () => {
      const [tx, rx] = watch.channel(0);
      tx.send(1);
      tx.send(2);
      expect(rx.hasChanged()).toBe(true);
      await rx.changed();
      expect(rx.borrow()).toBe(2);
      expect(rx.hasChanged()).toBe(false);
    });
  });

  it('send with no receivers throws SendError and does not store the value', () => {
    const [tx, rx] = watch.channel(1);
    rx.close();
    expect(tx.receiverCount()).toBe(0);
    const e = thrown(() => tx.send(2)) as SendError<number>;
    expect(e).toBeInstanceOf(SendError);
    expect(e.value).toBe(2);
    expect(tx.borrow()).toBe(1);
    // sendReplace / sendModify store regardless.
    expect(tx.sendReplace(3)).toBe(1);
    tx.sendModify((v) => v + 1);
    expect(tx.borrow()).toBe(4);
  });

  it('sendModify: mutate in place or return a replacement; both notify', async () => {
    await withRuntime(async () => {
      const [tx, rx] = watch.channel({ n: 1 });
      const original = rx.borrow();
      tx.sendModify((v) => {
        v.n = 2;
      });
      expect(rx.borrow()).toBe(original);
      expect(rx.borrow().n).toBe(2);
      await rx.changed();
      tx.sendModify((v) => ({ n: v.n + 1 }));
      expect(rx.borrow()).not.toBe(original);
      expect(rx.borrow().n).toBe(3);
      await rx.changed();
      expect(tx.sendIfModified(() => false)).toBe(false);
      expect(rx.hasChanged()).toBe(false);
    });
  });

  it('changed() rejects with RecvError closed only once the sender closed and the latest value was seen', async () => {
    await withRuntime(async () => {
      const [tx, rx] = watch.channel(0);
      tx.send(1);
      tx.close();
      await rx.changed(); // 1 was unseen
      expect(rx.borrow()).toBe(1);
      const e = (await rejection(rx.changed())) as RecvError;
      expect(e).toBeInstanceOf(RecvError);
      expect(e.kind).toBe('closed');
      expect(() => rx.hasChanged()).toThrow(RecvError);
    });
  });

  it('a waiting changed() rejects when the sender closes', async () => {
    await withRuntime(async () => {
      const [tx, rx] = watch.channel(0);
      const h = spawn(() => rx.changed());
      await settle();
      tx.close();
      expect(((await rejection(h)) as { cause: RecvError }).cause.kind).toBe('closed');
    });
  });

  it('waitFor resolves with the first matching value, the current one included', async () => {
    await withRuntime(async () => {
      const [tx, rx] = watch.channel(0);
      expect(await rx.waitFor((v) => v === 0)).toBe(0);
      const h = spawn(() => rx.waitFor((v) => v >= 3));
      await settle();
      for (let i = 1; i <= 5; i++) {
        tx.send(i);
        await settle(1);
      }
      expect(await h).toBe(3);
      tx.close();
      expect(await rejection(rx.waitFor((v) => v > 100))).toBeInstanceOf(RecvError);
      expect(await rx.waitFor((v) => v === 5)).toBe(5);
    });
  });

  it('subscribe, clone, receiverCount and closed()', async () => {
    await withRuntime(async () => {
      const [tx, rx] = watch.channel('a');
      tx.send('b');
      const sub = tx.subscribe();
      expect(sub.hasChanged()).toBe(false); // subscribing marks the current value seen
      const cl = rx.clone();
      expect(cl.hasChanged()).toBe(true);
      expect(tx.receiverCount()).toBe(3);
      const closed = spawn(() => tx.closed());
      rx.close();
      sub.close();
      await settle();
      expect(closed.isFinished()).toBe(false);
      cl.close();
      await closed;
      expect(tx.isClosed()).toBe(true);
    });
  });

  it('many receivers all wake on a send', async () => {
    await withRuntime(async () => {
      const [tx, rx] = watch.channel(0);
      const hs = Array.from({ length: 10 }, () => {
        const r = rx.clone();
        return spawn(async () => {
          await r.changed();
          return r.borrow();
        });
      });
      await settle();
      tx.send(42);
      for (const h of hs) expect(await h).toBe(42);
    });
  });
});
