import { describe, it, expect } from 'vitest';
import {
  oneshot,
  spawn,
  timeout,
  Elapsed,
  RecvError,
  SendError,
  TryRecvError,
  AlreadyReleasedError,
  OneshotSender,
  OneshotReceiver,
} from '@skein/core';
import { settle, withRuntime, thrown, rejection } from './helpers.js';

describe('oneshot', () => {
  it('send then await, await then send', async () => {
    await withRuntime(async () => {
      const [tx, rx] = oneshot.channel<number>();
      expect(tx).toBeInstanceOf(OneshotSender);
      expect(rx).toBeInstanceOf(OneshotReceiver);
      tx.send(1);
      expect(await rx).toBe(1);
      const [tx2, rx2] = oneshot.channel<string>();
      const h = spawn(async () => await rx2);
      await settle();
      tx2.send('x');
      expect(await h).toBe('x');
      expect(thrown(() => tx2.send('again'))).toBeInstanceOf(AlreadyReleasedError);
    });
  });

  it('closing the sender rejects the receiver with RecvError closed', async () => {
    await withRuntime(async () => {
      const [tx, rx] = oneshot.channel<number>();
      const h = spawn(async () => await rx);
      await settle();
      tx.close();
      const e = (await rejection(h)) as { cause: RecvError };
      expect(e.cause).toBeInstanceOf(RecvError);
      expect(e.cause.kind).toBe('closed');
      const e2 = (await rejection(rx)) as RecvError;
      expect(e2.kind).toBe('closed');
      expect((thrown(() => rx.tryRecv()) as TryRecvError).kind).toBe('disconnected');
      const [tx3, rx3] = oneshot.channel<number>();
      {
        using _t = tx3;
      }
      expect(await rejection(rx3)).toBeInstanceOf(RecvError);
    });
  });

  it('receiver close: send throws SendError with the value; sender.closed() resolves', async () => {
    await withRuntime(async () => {
      const [tx, rx] = oneshot.channel<number>();
      const closed = spawn(() => tx.closed());
      await settle();
      expect(tx.isClosed()).toBe(false);
      rx.close();
      await closed;
      expect(tx.isClosed()).toBe(true);
      const e = thrown(() => tx.send(5)) as SendError<number>;
      expect(e).toBeInstanceOf(SendError);
      expect(e.value).toBe(5);
      expect(await rejection(rx)).toBeInstanceOf(RecvError);
    });
  });

  it('a value sent before the receiver closed is still received', async () => {
    const [tx, rx] = oneshot.channel<number>();
    tx.send(3);
    rx.close();
    expect(rx.tryRecv()).toBe(3);
    expect(await rx).toBe(3);
  });

  it('tryRecv: empty, then the value', () => {
    const [tx, rx] = oneshot.channel<number>();
    const e = thrown(() => rx.tryRecv()) as TryRecvError;
    expect(e).toBeInstanceOf(TryRecvError);
    expect(e.kind).toBe('empty');
    tx.send(9);
    expect(rx.tryRecv()).toBe(9);
  });

  it('awaiting is cancel-safe: after a timeout the value still arrives', async () => {
    await withRuntime(
      async () => {
        const [tx, rx] = oneshot.channel<number>();
        expect(await rejection(timeout(5, async () => await rx))).toBeInstanceOf(Elapsed);
        tx.send(4);
        expect(await rx).toBe(4);
      },
      { paused: true },
    );
  });
});
