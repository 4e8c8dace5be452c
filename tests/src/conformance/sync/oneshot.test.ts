import { describe, it, expect } from 'vitest';
import {
  oneshot,
  OneshotSender,
  OneshotReceiver,
  SendError,
  RecvError,
  TryRecvError,
  type JoinError,
  Elapsed,
  spawn,
  timeout,
  time,
} from '@skein/core';
import { withRuntime, settle, thrown, rejection, expectSkein, track } from './_support.js';

describe('oneshot', () => {
  it('the receiver is PromiseLike and resolves with the sent value', async () => {
    await withRuntime(async () => {
      const [tx, rx] = oneshot.channel<{ n: number }>();
      expect(tx).toBeInstanceOf(OneshotSender);
      expect(rx).toBeInstanceOf(OneshotReceiver);
      expect(typeof rx.then).toBe('function');
      const waiting = track(rx);
      await settle();
      expect(waiting.settled()).toBe(false);
      const v = { n: 1 };
      tx.send(v);
      await settle();
      expect(waiting.value()).toBe(v);
    });
  });

  it('a value sent from another task reaches the awaiting receiver', async () => {
    await withRuntime(async () => {
      const [tx, rx] = oneshot.channel<string>();
      spawn(async () => {
        await settle(2);
        tx.send('hi');
      });
      expect(await rx).toBe('hi');
    });
  });

  it('sender.close() before sending rejects the receiver with RecvError closed', async () => {
    await withRuntime(async () => {
      const [tx, rx] = oneshot.channel<number>();
      const waiting = track(rx);
      await settle();
      tx.close();
      await settle();
      const err = expectSkein(waiting.error(), RecvError, 'ERR_SKEIN_RECV_CLOSED');
      expect(err.kind).toBe('closed');
    });
  });

  it('disposing an unsent sender (Symbol.dispose) closes it like close()', async () => {
    await withRuntime(async () => {
      const [tx, rx] = oneshot.channel<number>();
      tx[Symbol.dispose]();
      const err = await rejection(rx);
      expect(err).toBeInstanceOf(RecvError);
      expect((err as RecvError).kind).toBe('closed');
    });
  });

  it('tryRecv: TryRecvError empty before the send, the value after, disconnected after close()', async () => {
    await withRuntime(async () => {
      const [tx, rx] = oneshot.channel<number>();
      const e = expectSkein(
        thrown(() => rx.tryRecv()),
        TryRecvError,
        'ERR_SKEIN_TRY_RECV_EMPTY',
      );
      expect(e.kind).toBe('empty');
      tx.send(3);
      expect(rx.tryRecv()).toBe(3);

      const [tx2, rx2] = oneshot.channel<number>();
      tx2.close();
      const d = expectSkein(
        thrown(() => rx2.tryRecv()),
        TryRecvError,
        'ERR_SKEIN_TRY_RECV_DISCONNECTED',
      );
      expect(d.kind).toBe('disconnected');
    });
  });

  it('receiver.close(): sender.isClosed() is true, closed() resolves, send throws SendError with the value', async () => {
    await withRuntime(async () => {
      const [tx, rx] = oneshot.channel<string>();
      expect(tx.isClosed()).toBe(false);
      const c = track(tx.closed());
      await settle();
      expect(c.settled()).toBe(false);
      rx.close();
      await settle();
      expect(c.settled()).toBe(true);
      expect(tx.isClosed()).toBe(true);
      const err = expectSkein(
        thrown(() => tx.send('lost')),
        SendError,
        'ERR_SKEIN_SEND_CLOSED',
      );
      expect(err.value).toBe('lost');
    });
  });

  it('after receiver.close(), tryRecv still returns a value sent before the close, else disconnected', async () => {
    await withRuntime(async () => {
      const [tx, rx] = oneshot.channel<string>();
      tx.send('kept');
      rx.close();
      expect(rx.tryRecv()).toBe('kept');

      const [tx2, rx2] = oneshot.channel<string>();
      rx2.close();
      expect(thrown(() => tx2.send('never'))).toBeInstanceOf(SendError);
      const d = expectSkein(
        thrown(() => rx2.tryRecv()),
        TryRecvError,
        'ERR_SKEIN_TRY_RECV_DISCONNECTED',
      );
      expect(d.kind).toBe('disconnected');
    });
  });

  it('disposing the receiver closes it for the sender', async () => {
    await withRuntime(async () => {
      const [tx, rx] = oneshot.channel<number>();
      rx[Symbol.dispose]();
      expect(tx.isClosed()).toBe(true);
      expect(thrown(() => tx.send(1))).toBeInstanceOf(SendError);
    });
  });

  it('awaiting the receiver is cancel-safe: an aborted or timed-out wait leaves it usable', async () => {
    await withRuntime(
      async () => {
        const [tx, rx] = oneshot.channel<number>();
        const h = spawn(async () => await rx);
        await settle();
        h.abort();
        expect(((await rejection(h)) as JoinError).isCancelled()).toBe(true);
        const t = track(timeout(5, async () => await rx));
        await time.advance(5);
        await settle();
        expect(t.error()).toBeInstanceOf(Elapsed);
        expect(tx.isClosed()).toBe(false);
        tx.send(42);
        expect(await rx).toBe(42);
      },
      { paused: true },
    );
  });
});
