import { describe, it, expect } from 'vitest';
import {
  broadcast,
  BroadcastSender,
  BroadcastReceiver,
  SendError,
  RecvError,
  TryRecvError,
  type JoinError,
  spawn,
} from '@skein/core';
import { withRuntime, settle, thrown, rejection, expectSkein, track } from './_support.js';

describe('broadcast', () => {
  it('every receiver gets every value, in order', async () => {
    await withRuntime(async () => {
      const [tx, rx1] = broadcast.channel<number>(8);
      expect(tx).toBeInstanceOf(BroadcastSender);
      expect(rx1).toBeInstanceOf(BroadcastReceiver);
      const rx2 = tx.subscribe();
      tx.send(1);
      tx.send(2);
      expect([await rx1.recv(), await rx1.recv()]).toEqual([1, 2]);
      expect([await rx2.recv(), rx2.tryRecv()]).toEqual([1, 2]);
    });
  });

  it('send returns the number of receivers reached; receiverCount follows subscribe/close', async () => {
    await withRuntime(async () => {
      const [tx, rx1] = broadcast.channel<string>(4);
      expect(tx.receiverCount()).toBe(1);
      const rx2 = tx.subscribe();
      expect(tx.receiverCount()).toBe(2);
      expect(tx.send('a')).toBe(2);
      rx1.close();
      expect(tx.receiverCount()).toBe(1);
      expect(tx.send('b')).toBe(1);
      rx2[Symbol.dispose]();
      expect(tx.receiverCount()).toBe(0);
      const err = expectSkein(
        thrown(() => tx.send('c')),
        SendError,
        'ERR_SKEIN_SEND_CLOSED',
      );
      expect(err.value).toBe('c');
    });
  });

  it('capacity rounds up to a power of two; a lagging receiver gets Lagged(n), then the oldest retained value', async () => {
    await withRuntime(async () => {
      const [tx, rx] = broadcast.channel<number>(3); // rounds up to 4
      for (let i = 0; i < 4; i++) tx.send(i);
      // 4 values fit: no lag.
      expect([await rx.recv(), await rx.recv(), await rx.recv(), await rx.recv()]).toEqual([0, 1, 2, 3]);
      for (let i = 10; i < 16; i++) tx.send(i); // 6 values into 4 slots: 10 and 11 are lost
      const err = expectSkein(await rejection(rx.recv()), RecvError, 'ERR_SKEIN_RECV_LAGGED');
      expect(err.kind).toBe('lagged');
      expect(err.lagged).toBe(2);
      expect([await rx.recv(), await rx.recv(), await rx.recv(), await rx.recv()]).toEqual([12, 13, 14, 15]);
      expect(thrown(() => rx.tryRecv())).toBeInstanceOf(TryRecvError);
    });
  });

  it('tryRecv reports lagged, then empty; disconnected once the sender closed and it drained', async () => {
    await withRuntime(async () => {
      const [tx, rx] = broadcast.channel<number>(2);
      const empty = expectSkein(
        thrown(() => rx.tryRecv()),
        TryRecvError,
        'ERR_SKEIN_TRY_RECV_EMPTY',
      );
      expect(empty.kind).toBe('empty');
      for (let i = 0; i < 5; i++) tx.send(i);
      const lag = expectSkein(
        thrown(() => rx.tryRecv()),
        TryRecvError,
        'ERR_SKEIN_TRY_RECV_LAGGED',
      );
      expect(lag.kind).toBe('lagged');
      expect(rx.tryRecv()).toBe(3);
      tx.close();
      expect(rx.tryRecv()).toBe(4);
      const d = expectSkein(
        thrown(() => rx.tryRecv()),
        TryRecvError,
        'ERR_SKEIN_TRY_RECV_DISCONNECTED',
      );
      expect(d.kind).toBe('disconnected');
    });
  });

  it('a new subscriber and resubscribe() start at the tail', async () => {
    await withRuntime(async () => {
      const [tx, rx] = broadcast.channel<string>(8);
      tx.send('old1');
      tx.send('old2');
      const sub = tx.subscribe();
      const re = rx.resubscribe();
      expect(thrown(() => sub.tryRecv())).toBeInstanceOf(TryRecvError);
      expect(thrown(() => re.tryRecv())).toBeInstanceOf(TryRecvError);
      expect(tx.receiverCount()).toBe(3);
      tx.send('new');
      expect(await re.recv()).toBe('new');
      expect(await sub.recv()).toBe('new');
      // The original keeps its own backlog.
      expect([await rx.recv(), await rx.recv(), await rx.recv()]).toEqual(['old1', 'old2', 'new']);
    });
  });

  it('recv waits for a send; after sender.close() it drains, then rejects RecvError closed', async () => {
    await withRuntime(async () => {
      const [tx, rx] = broadcast.channel<number>(4);
      const waiting = track(rx.recv());
      await settle();
      expect(waiting.settled()).toBe(false);
      tx.send(1);
      await settle();
      expect(waiting.value()).toBe(1);
      tx.send(2);
      tx.close();
      expect(await rx.recv()).toBe(2);
      const err = expectSkein(await rejection(rx.recv()), RecvError, 'ERR_SKEIN_RECV_CLOSED');
      expect(err.kind).toBe('closed');
    });
  });

  it('a pending recv rejects RecvError closed when the sender closes', async () => {
    await withRuntime(async () => {
      const [tx, rx] = broadcast.channel<number>(4);
      const waiting = track(rx.recv());
      await settle();
      tx[Symbol.dispose]();
      await settle();
      expect(waiting.error()).toBeInstanceOf(RecvError);
      expect((waiting.error() as RecvError).kind).toBe('closed');
    });
  });

  it('an aborted recv loses no value', async () => {
    await withRuntime(async () => {
      const [tx, rx] = broadcast.channel<number>(4);
      const h = spawn(() => rx.recv());
      await settle();
      h.abort();
      expect(((await rejection(h)) as JoinError).isCancelled()).toBe(true);
      expect(tx.send(5)).toBe(1);
      expect(await rx.recv()).toBe(5);
    });
  });

  it('broadcast.channel(0) throws RangeError with a code', () => {
    const err = thrown(() => broadcast.channel(0));
    expect(err).toBeInstanceOf(RangeError);
    expect((err as { code?: unknown }).code).toMatch(/^ERR_/);
  });
});
