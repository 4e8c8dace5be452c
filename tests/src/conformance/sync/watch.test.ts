import { describe, it, expect } from 'vitest';
import {
  watch,
  WatchSender,
  WatchReceiver,
  SendError,
  RecvError,
  type JoinError,
  Elapsed,
  spawn,
  timeout,
  time,
} from '@skein/core';
import { withRuntime, settle, thrown, rejection, expectSkein, track } from './_support.js';

describe('watch', () => {
  it('the initial value counts as seen: borrow() has it, changed() waits for a send', async () => {
    await withRuntime(async () => {
      const [tx, rx] = watch.channel('init');
      expect(tx).toBeInstanceOf(WatchSender);
      expect(rx).toBeInstanceOf(WatchReceiver);
      expect(rx.borrow()).toBe('init');
      expect(tx.borrow()).toBe('init');
      expect(rx.hasChanged()).toBe(false);
      const c = track(rx.changed());
      await settle();
      expect(c.settled()).toBe(false);
      tx.send('next');
      await settle();
      expect(c.settled()).toBe(true);
      expect(rx.borrow()).toBe('next');
    });
  });

  it('changed() marks the value seen; borrow() does not, borrowAndUpdate() does', async () => {
    await withRuntime(async () => {
      const [tx, rx] = watch.channel(0);
      tx.send(1);
      expect(rx.hasChanged()).toBe(true);
      expect(rx.borrow()).toBe(1);
      expect(rx.hasChanged()).toBe(true);
      expect(rx.borrowAndUpdate()).toBe(1);
      expect(rx.hasChanged()).toBe(false);
      tx.send(2);
      await rx.changed();
      expect(rx.hasChanged()).toBe(false);
      const c = track(rx.changed());
      await settle();
      expect(c.settled()).toBe(false);
      tx.send(3);
      await c.promise;
    });
  });

  it('sends between two changed() calls coalesce into one change with the latest value', async () => {
    await withRuntime(async () => {
      const [tx, rx] = watch.channel(0);
      tx.send(1);
      tx.send(2);
      tx.send(3);
      await rx.changed();
      expect(rx.borrow()).toBe(3);
      expect(rx.hasChanged()).toBe(false);
    });
  });

  it('changed() rejects RecvError closed only when the sender closed and the latest value was seen', async () => {
    await withRuntime(async () => {
      const [tx, rx] = watch.channel('a');
      tx.send('b');
      tx.close();
      // Tokio: has_changed fails if and only if the channel is closed, unseen value or not...
      expectSkein(
        thrown(() => rx.hasChanged()),
        RecvError,
        'ERR_SKEIN_RECV_CLOSED',
      );
      // ...while changed() still delivers the unseen value first.
      await rx.changed();
      expect(rx.borrow()).toBe('b');
      const err = expectSkein(await rejection(rx.changed()), RecvError, 'ERR_SKEIN_RECV_CLOSED');
      expect(err.kind).toBe('closed');
      expect(rx.borrow()).toBe('b'); // the last value stays readable
    });
  });

  it('a pending changed() rejects RecvError closed when the sender closes', async () => {
    await withRuntime(async () => {
      const [tx, rx] = watch.channel(1);
      const c = track(rx.changed());
      await settle();
      tx[Symbol.dispose]();
      await settle();
      expect(c.error()).toBeInstanceOf(RecvError);
      expect((c.error() as RecvError).kind).toBe('closed');
    });
  });

  it('send() with no receivers throws SendError with the value and does not store it', async () => {
    await withRuntime(async () => {
      const [tx, rx] = watch.channel('kept');
      rx.close();
      const err = expectSkein(
        thrown(() => tx.send('dropped')),
        SendError,
        'ERR_SKEIN_SEND_CLOSED',
      );
      expect(err.value).toBe('dropped');
      expect(tx.borrow()).toBe('kept');
      expect(tx.subscribe().borrow()).toBe('kept');
    });
  });

  it('sendModify: fn may mutate the value in place or return a replacement; receivers see a change', async () => {
    await withRuntime(async () => {
      const [tx, rx] = watch.channel({ n: 1, tag: 'orig' });
      const original = rx.borrow();
      tx.sendModify((v) => {
        v.n += 1;
      });
      expect(rx.hasChanged()).toBe(true);
      expect(rx.borrowAndUpdate()).toBe(original); // same object, mutated
      expect(original.n).toBe(2);
      tx.sendModify((v) => ({ n: v.n * 10, tag: 'new' }));
      await rx.changed();
      expect(rx.borrow()).toEqual({ n: 20, tag: 'new' });
    });
  });

  it('sendModify works with no receivers (Tokio send_modify)', async () => {
    await withRuntime(async () => {
      const [tx, rx] = watch.channel(1);
      rx.close();
      tx.sendModify((v) => v + 1);
      expect(tx.borrow()).toBe(2);
      const late = tx.subscribe();
      expect(late.borrow()).toBe(2);
      expect(late.hasChanged()).toBe(false);
    });
  });

  it('waitFor(pred) resolves with the first matching value, checking the current value first', async () => {
    await withRuntime(async () => {
      const [tx, rx] = watch.channel(5);
      expect(await rx.waitFor((v) => v === 5)).toBe(5);
      const w = track(rx.waitFor((v) => v >= 30));
      await settle();
      expect(w.settled()).toBe(false);
      tx.send(10);
      await settle();
      expect(w.settled()).toBe(false);
      tx.send(30);
      await settle();
      expect(w.value()).toBe(30);
      expect(rx.hasChanged()).toBe(false);
      tx.close();
      // The current value is checked first, even after the sender closed.
      expect(await rx.waitFor((v) => v === 30)).toBe(30);
    });
  });

  it('waitFor rejects RecvError closed when the sender closes before a match', async () => {
    await withRuntime(async () => {
      const [tx, rx] = watch.channel(0);
      const w = track(rx.waitFor((v) => v > 100));
      await settle();
      tx.send(1);
      tx.close();
      await settle();
      expect(w.error()).toBeInstanceOf(RecvError);
      expect((w.error() as RecvError).kind).toBe('closed');
    });
  });

  it('sender.subscribe() gives a receiver that has seen the current value; closed() resolves when every receiver closed', async () => {
    await withRuntime(async () => {
      const [tx, rx] = watch.channel(0);
      tx.send(1);
      const rx2 = tx.subscribe();
      expect(rx2.hasChanged()).toBe(false);
      expect(rx2.borrow()).toBe(1);
      expect(rx.hasChanged()).toBe(true);
      const c = track(tx.closed());
      rx.close();
      await settle();
      expect(c.settled()).toBe(false);
      rx2[Symbol.dispose]();
      await settle();
      expect(c.settled()).toBe(true);
    });
  });

  it('an aborted or timed-out changed() does not mark the value seen', async () => {
    await withRuntime(
      async () => {
        const [tx, rx] = watch.channel(0);
        const h = spawn(() => rx.changed());
        await settle();
        h.abort();
        expect(((await rejection(h)) as JoinError).isCancelled()).toBe(true);
        const t = track(timeout(5, () => rx.changed()));
        await time.advance(5);
        await settle();
        expect(t.error()).toBeInstanceOf(Elapsed);
        tx.send(1);
        expect(rx.hasChanged()).toBe(true);
        await rx.changed();
        expect(rx.borrow()).toBe(1);
      },
      { paused: true },
    );
  });
});
