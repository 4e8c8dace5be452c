import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AlreadyReleasedError,
  RecvError,
  Runtime,
  SendError,
  SerializationError,
  TryRecvError,
  spawn,
} from '@skein/core';
import { sharedBroadcast, sharedOneshot, sharedWatch } from '@skein/workers';
import {
  broadcastCollect,
  broadcastSend,
  oneshotAwaitClosed,
  oneshotRecv,
  oneshotSend,
  watchBump,
  watchFollow,
} from './fixtures/fanout_tasks.js';

describe('sharedOneshot, sharedWatch, sharedBroadcast across worker threads', () => {
  let rt: Runtime;
  beforeAll(async () => {
    rt = await Runtime.builder().multiThread().workerThreads(4).logger('silent').build();
  });
  afterAll(async () => {
    await rt.shutdown();
  });

  it('oneshot: a worker sends to the main thread; the main thread sends to a worker', async () => {
    await rt.blockOn(async () => {
      const [tx, rx] = sharedOneshot.channel<{ v: number }>();
      const h = spawn(oneshotSend, tx, 42, 5);
      expect(() => tx.send({ v: 1 })).toThrow(AlreadyReleasedError); // moved to the task
      expect((await rx).v).toBe(42);
      expect(rx.tryRecv()).toEqual({ v: 42 });
      await h;
      const [tx2, rx2] = sharedOneshot.channel<{ v: number }>();
      const r = spawn(oneshotRecv, rx2);
      tx2.send({ v: 7 });
      expect(await r).toBe(7);
    });
  });

  it('oneshot: a task that drops its sender without sending makes the receiver reject (closed)', async () => {
    await rt.blockOn(async () => {
      const [tx, rx] = sharedOneshot.channel<{ v: number }>();
      expect(() => rx.tryRecv()).toThrow(TryRecvError);
      await spawn(oneshotSend, tx, undefined, 0);
      await expect(Promise.resolve(rx)).rejects.toBeInstanceOf(RecvError);
    });
  });

  it('oneshot: closed() on a worker resolves when the main thread closes the receiver; send then fails', async () => {
    await rt.blockOn(async () => {
      const [tx, rx] = sharedOneshot.channel<{ v: number }>();
      const h = spawn(oneshotAwaitClosed, tx);
      await new Promise((r) => setTimeout(r, 10));
      rx.close();
      expect(await h).toBe(true);
      const [tx2, rx2] = sharedOneshot.channel<{ v: number }>();
      rx2.close();
      expect(() => tx2.send({ v: 1 })).toThrow(SendError);
      const [tx3] = sharedOneshot.channel<unknown>();
      expect(() => tx3.send(() => 1)).toThrow(SerializationError);
      tx3.send(1); // still usable after a value that couldn't be stored
    });
  });

  it('watch: 4 watchers on workers follow a sender moved to another worker to its last value, then see it closed', async () => {
    await rt.blockOn(async () => {
      const [tx, rx] = sharedWatch.channel({ n: 0 });
      const watchers = Array.from({ length: 4 }, () => spawn(watchFollow, rx, 200));
      const writer = spawn(watchBump, tx, 200); // moves the sender; the task closes it when done
      expect(await writer).toBe(200);
      const seen = await Promise.all(watchers);
      for (const [matched, last, end] of seen) {
        expect(matched).toBe(200);
        expect(last).toBe(200);
        expect(end).toBe('closed');
      }
      expect(rx.borrow()).toEqual({ n: 200 });
      expect(() => rx.hasChanged()).toThrow(RecvError);
    });
  });

  it('watch: send with no receivers throws SendError and stores nothing; closed() resolves when receivers go', async () => {
    await rt.blockOn(async () => {
      const [tx, rx] = sharedWatch.channel('a');
      const rx2 = rx.clone();
      expect(tx.receiverCount()).toBe(2);
      tx.send('b');
      expect(rx2.hasChanged()).toBe(true);
      await rx2.changed();
      expect(rx2.borrow()).toBe('b');
      const closed = tx.closed();
      rx.close();
      rx2.close();
      await closed;
      expect(() => tx.send('c')).toThrow(SendError);
      expect(tx.borrow()).toBe('b');
    });
  });

  it("broadcast: 4 receivers on workers get every value of 3 senders, in each sender's order, then closed", async () => {
    await rt.blockOn(async () => {
      const [tx, rx] = sharedBroadcast.channel<number>(1024);
      const rxs = Array.from({ length: 4 }, () => spawn(broadcastCollect, rx));
      rx.close();
      const senders = [0, 1000, 2000].map((from) => spawn(broadcastSend, tx, from, 300));
      tx.close(); // the tasks' copies keep the channel open until they finish
      for (const s of senders) expect(await s).toBe(300);
      for (const got of await Promise.all(rxs)) {
        expect(got).toHaveLength(900);
        for (const from of [0, 1000, 2000]) {
          const mine = got.filter((v) => typeof v === 'number' && v >= from && v < from + 1000);
          expect(mine).toEqual(Array.from({ length: 300 }, (_, i) => from + i));
        }
      }
    });
  });

  it('broadcast: a receiver that fell behind gets Lagged with the count, then the oldest value held', async () => {
    await rt.blockOn(async () => {
      const [tx, rx] = sharedBroadcast.channel<number>(4);
      for (let i = 0; i < 9; i++) expect(tx.send(i)).toBe(1);
      const h = spawn(broadcastCollect, rx); // a copy at position 0
      tx.close();
      expect(await h).toEqual(['lagged:5', 5, 6, 7, 8]);
      await expect(rx.recv()).rejects.toMatchObject({ kind: 'lagged', lagged: 5 });
      expect(await rx.recv()).toBe(5);
    });
  });

  it('broadcast: SendError with no receivers; maxBytes RangeError at the call', async () => {
    const [tx, rx] = sharedBroadcast.channel<string>(2, { maxBytes: 16 });
    expect(() => tx.send('x'.repeat(64))).toThrow(RangeError);
    rx.close();
    expect(() => tx.send('a')).toThrow(SendError);
    expect(() => sharedBroadcast.channel(0)).toThrow(RangeError);
  });

  it('aborting receivers at random moments leaks no receiver count (broadcast, watch)', async () => {
    let seed = 7;
    const rand = (n: number): number => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    await rt.blockOn(async () => {
      const [btx, brx] = sharedBroadcast.channel<number>(8);
      const [wtx, wrx] = sharedWatch.channel({ n: 0 });
      const hs = Array.from({ length: 12 }, (_, i) =>
        i % 2 === 0 ? spawn(broadcastCollect, brx) : spawn(watchFollow, wrx, 1_000_000),
      );
      for (let i = 0; i < 40; i++) {
        btx.send(i);
        wtx.send({ n: i });
        if (rand(4) === 0) hs[rand(hs.length)]!.abort();
        await new Promise((r) => setTimeout(r, rand(3)));
      }
      for (const h of hs) h.abort();
      await Promise.allSettled(hs);
      // Each task's copy is dropped as its worker finishes it, which may trail the JoinHandle.
      while (btx.receiverCount() > 1 || wtx.receiverCount() > 1) await new Promise((r) => setTimeout(r, 1));
      expect(btx.send(99)).toBe(1);
      await expect(brx.recv()).rejects.toMatchObject({ kind: 'lagged', lagged: 33 });
      brx.close();
      wrx.close();
      expect(btx.receiverCount()).toBe(0);
      expect(wtx.isClosed()).toBe(true);
    });
  });
});
