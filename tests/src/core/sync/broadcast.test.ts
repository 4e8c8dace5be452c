import { describe, it, expect } from 'vitest';
import {
  broadcast,
  spawn,
  timeout,
  Elapsed,
  RecvError,
  SendError,
  type TryRecvError,
  BroadcastSender,
  BroadcastReceiver,
} from '@skein/core';
import { settle, withRuntime, thrown, rejection } from './helpers.js';

describe('broadcast', () => {
  it('Sender.closed() checks the receiver count again on wake-up: a subscribe() before it resumed keeps it waiting (Tokio)', async () => {
    await withRuntime(async () => {
      const [tx, rx] = broadcast.channel<number>(4);
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

  it('every receiver sees every value', async () => {
    await withRuntime(async () => {
      const [tx, rx1] = broadcast.channel<number>(16);
      expect(tx).toBeInstanceOf(BroadcastSender);
      expect(rx1).toBeInstanceOf(BroadcastReceiver);
      const rx2 = tx.subscribe();
      expect(tx.receiverCount()).toBe(2);
      const hs = [rx1, rx2].map((rx) =>
        spawn(async () => {
          const got: number[] = [];
          for (;;) {
            try {
              got.push(await rx.recv());
            } catch (e) {
              expect((e as RecvError).kind).toBe('closed');
              return got;
            }
          }
        }),
      );
      await settle();
      for (let i = 0; i < 10; i++) expect(tx.send(i)).toBe(2);
      tx.close();
      for (const h of hs) expect(await h).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    });
  });

  it('capacity rounds up to a power of two; a lagging receiver gets lagged(n), then the oldest retained value', async () => {
    await withRuntime(async () => {
      const [tx, rx] = broadcast.channel<number>(3); // 4 slots
      for (let i = 0; i < 6; i++) tx.send(i);
      const e = (await rejection(rx.recv())) as RecvError;
      expect(e).toBeInstanceOf(RecvError);
      expect(e.kind).toBe('lagged');
      expect(e.lagged).toBe(2);
      expect(await rx.recv()).toBe(2);
      expect(await rx.recv()).toBe(3);
      expect(rx.tryRecv()).toBe(4);
      expect(rx.tryRecv()).toBe(5);
      expect((thrown(() => rx.tryRecv()) as TryRecvError).kind).toBe('empty');
      for (let i = 6; i < 12; i++) tx.send(i);
      const te = thrown(() => rx.tryRecv()) as TryRecvError;
      expect(te.kind).toBe('lagged');
      expect(te.lagged).toBe(2);
      expect(rx.tryRecv()).toBe(8);
    });
  });

  it('send with no receivers throws SendError with the value', () => {
    const [tx, rx] = broadcast.channel<string>(2);
    rx.close();
    expect(tx.receiverCount()).toBe(0);
    const e = thrown(() => tx.send('v')) as SendError<string>;
    expect(e).toBeInstanceOf(SendError);
    expect(e.value).toBe('v');
    const late = tx.subscribe();
    expect(tx.send('w')).toBe(1);
    expect(late.tryRecv()).toBe('w');
  });

  it('close: receivers drain what is left, then RecvError closed', async () => {
    await withRuntime(async () => {
      const [tx, rx] = broadcast.channel<number>(4);
      const tx2 = tx.clone();
      tx.send(1);
      tx.send(2);
      tx.close();
      tx2.send(3);
      tx2.close();
      expect(rx.isClosed()).toBe(true);
      expect(await rx.recv()).toBe(1);
      expect(await rx.recv()).toBe(2);
      expect(await rx.recv()).toBe(3);
      const e = (await rejection(rx.recv())) as RecvError;
      expect(e.kind).toBe('closed');
      expect((thrown(() => rx.tryRecv()) as TryRecvError).kind).toBe('disconnected');
    });
  });

  it('a waiting recv is woken by close', async () => {
    await withRuntime(async () => {
      const [tx, rx] = broadcast.channel<number>(4);
      const h = spawn(() => rx.recv());
      await settle();
      tx.close();
      expect(((await rejection(h)) as { cause: RecvError }).cause.kind).toBe('closed');
    });
  });

  it('resubscribe starts at the tail', async () => {
    const [tx, rx] = broadcast.channel<number>(4);
    tx.send(1);
    const rx2 = rx.resubscribe();
    tx.send(2);
    expect(rx.tryRecv()).toBe(1);
    expect(rx.tryRecv()).toBe(2);
    expect(rx2.tryRecv()).toBe(2);
    expect(rx2.isEmpty()).toBe(true);
    expect(tx.receiverCount()).toBe(2);
    rx2.close();
    rx2.close();
    expect(tx.receiverCount()).toBe(1);
  });

  it('values are released once every receiver read them (len)', () => {
    const [tx, rx1] = broadcast.channel<number>(8);
    const rx2 = tx.subscribe();
    tx.send(1);
    tx.send(2);
    expect(tx.len()).toBe(2);
    rx1.tryRecv();
    rx2.tryRecv();
    expect(tx.len()).toBe(1);
    rx2.close(); // releases what rx2 hadn't read
    rx1.tryRecv();
    expect(tx.len()).toBe(0);
    expect(tx.isEmpty()).toBe(true);
  });

  it('a cancelled recv loses nothing', async () => {
    await withRuntime(
      async () => {
        const [tx, rx] = broadcast.channel<number>(4);
        expect(await rejection(timeout(5, () => rx.recv()))).toBeInstanceOf(Elapsed);
        const a = spawn(() => rx.recv());
        await settle();
        tx.send(1);
        a.abort(); // woken, cancelled before it resumed
        await settle();
        expect(await rx.recv()).toBe(1);
      },
      { paused: true },
    );
  });

  it('sender.closed() resolves when every receiver closed', async () => {
    await withRuntime(async () => {
      const [tx, rx] = broadcast.channel<number>(2);
      const h = spawn(() => tx.closed());
      await settle();
      expect(h.isFinished()).toBe(false);
      rx.close();
      await h;
    });
  });

  it('rejects a bad capacity with RangeError + code; a huge capacity allocates lazily', () => {
    for (const bad of [0, -1, 2.5, 2 ** 29 + 1]) {
      const e = thrown(() => broadcast.channel(bad)) as RangeError & { code: string };
      expect(e).toBeInstanceOf(RangeError);
      expect(e.code).toBe('ERR_OUT_OF_RANGE');
    }
    const [tx, rx] = broadcast.channel<number>(2 ** 29);
    tx.send(1);
    expect(rx.tryRecv()).toBe(1);
  });
});
