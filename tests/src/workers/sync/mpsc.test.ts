import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Runtime, SendError, SerializationError, TryRecvError, TrySendError, spawn } from '@skein/core';
import { sharedMpsc } from '@skein/workers';
import { waitFor } from '../../support/outcomes.js';
import {
  consumeSum,
  produce,
  produceUnbounded,
  sendOne,
  sendParked,
  sendTricky,
  sendWide,
  trickyValues,
} from './fixtures/channel_tasks.js';

/** Checks no message lost or duplicated, and FIFO per producer. */
function checkStreams(got: [number, number][], producers: number, count: number): void {
  const next = new Array<number>(producers).fill(0);
  for (const [p, i] of got) {
    expect(i).toBe(next[p]);
    next[p]!++;
  }
  expect(next).toEqual(new Array<number>(producers).fill(count));
}

describe('sharedMpsc across worker threads', () => {
  let rt: Runtime;
  beforeAll(async () => {
    rt = await Runtime.builder().multiThread().workerThreads(4).logger('silent').build();
  });
  afterAll(async () => {
    await rt.shutdown();
  });

  it('bounded: 6 producers on 4 workers to the main thread, nothing lost or duplicated, FIFO per producer', async () => {
    const [tx, rx] = sharedMpsc.channel<[number, number]>(16);
    const got = await rt.blockOn(async () => {
      for (let p = 0; p < 6; p++) spawn(produce, tx, p, 2000);
      tx.close(); // the tasks' copies keep the channel open until they finish
      const out: [number, number][] = [];
      for await (const m of rx) out.push(m);
      return out;
    });
    checkStreams(got, 6, 2000);
  });

  it('unbounded: synchronous sends past the ring spill and still arrive in order', async () => {
    const [tx, rx] = sharedMpsc.unboundedChannel<[number, number]>({ ringBytes: 4096, maxBytes: 64 });
    const got = await rt.blockOn(async () => {
      for (let p = 0; p < 3; p++) spawn(produceUnbounded, tx, p, 3000);
      tx.close();
      const out: [number, number][] = [];
      for await (const m of rx) out.push(m);
      return out;
    });
    checkStreams(got, 3, 3000);
  });

  it('a receiver moved to a task sees the end once every sender everywhere is closed', async () => {
    const [tx, rx] = sharedMpsc.channel<number>(4);
    const sum = await rt.blockOn(async () => {
      const h = spawn(consumeSum, rx);
      expect(() => rx.tryRecv()).toThrow(/moved/);
      for (let i = 1; i <= 100; i++) await tx.send(i);
      tx.close();
      return h;
    });
    expect(sum).toBe(5050);
  });

  it('a task drops the sender it was given when it finishes', async () => {
    const [tx, rx] = sharedMpsc.channel<string>(4);
    await rt.blockOn(async () => {
      await spawn(sendOne, tx, 'hello');
      expect(rx.senderCount()).toBe(1);
      tx.close();
      expect(await rx.recv()).toBe('hello');
      expect(await rx.recv()).toBeUndefined();
    });
  });

  it('aborting tasks parked in send loses no slot and sends nothing', async () => {
    const [tx, rx] = sharedMpsc.channel<number>(2);
    await rt.blockOn(async () => {
      tx.trySend(1);
      tx.trySend(2);
      expect(() => tx.trySend(3)).toThrow(TrySendError);
      const hs = Array.from({ length: 6 }, (_, i) => spawn(sendParked, tx, 10 + i));
      await new Promise((r) => setTimeout(r, 20));
      for (let i = 0; i < hs.length; i += 2) hs[i]!.abort();
      for (let i = 0; i < hs.length; i += 2) await hs[i]!.catch(() => undefined);
      const got: number[] = [];
      for (let i = 0; i < 5; i++) got.push((await rx.recv())!);
      for (let i = 1; i < hs.length; i += 2) await hs[i];
      expect(got.slice(0, 2)).toEqual([1, 2]);
      expect(got.slice(2).sort()).toEqual([11, 13, 15]);
      expect(() => rx.tryRecv()).toThrow(TryRecvError);
      // An aborted task's handle settles at once; a slot granted to its parked send comes
      // back once the abort has reached its worker (under load, after the others finished).
      await waitFor(() => tx.capacity() === 2, 10_000, 'the aborted sends to give their slots back');
      expect(() => rx.tryRecv()).toThrow(TryRecvError);
    });
  });

  it('values from another thread arrive as structuredClone would give them (-0, NaN, lone surrogates, Map, class instances, cycles)', async () => {
    const [tx, rx] = sharedMpsc.channel<unknown>(4);
    const got = await rt.blockOn(async () => {
      spawn(sendTricky, tx);
      tx.close();
      const out: unknown[] = [];
      for await (const v of rx) out.push(v);
      return out;
    });
    const want = trickyValues().map((v) => structuredClone(v));
    expect(got).toHaveLength(want.length);
    want.forEach((w, i) => {
      const g = got[i];
      if (typeof w === 'number') expect(Object.is(g, w), `value ${i}: ${String(g)} for ${String(w)}`).toBe(true);
      else expect(g, `value ${i}`).toStrictEqual(w);
    });
  });

  it('a ring short of bytes makes senders wait for the receiver; closing it fails one that waits', async () => {
    const [tx, rx] = sharedMpsc.channel<string>(64, { maxBytes: 100, ringBytes: 256 });
    await rt.blockOn(async () => {
      spawn(sendWide, tx, 300, 90);
      const got: string[] = [];
      for (let i = 0; i < 300; i++) got.push((await rx.recv())!);
      expect(got.map((s) => Number.parseInt(s, 10))).toEqual(Array.from({ length: 300 }, (_, i) => i));
      // Two records fill the ring's bytes (not its slots): the third send waits for bytes.
      await tx.send('a'.repeat(90));
      await tx.send('b'.repeat(90));
      const third = tx.send('c'.repeat(90));
      await new Promise((r) => setTimeout(r, 20));
      rx.close();
      await expect(third).rejects.toBeInstanceOf(SendError);
      expect(rx.tryRecv()).toBe('a'.repeat(90));
    });
  });

  it('values: uncloneable throws SerializationError, over maxBytes RangeError, both at the call', async () => {
    const [tx, rx] = sharedMpsc.channel<unknown>(4, { maxBytes: 32 });
    expect(() => tx.send(() => 1)).toThrow(SerializationError);
    expect(() => tx.send('x'.repeat(64))).toThrow(RangeError);
    await tx.send(new Map([[1, { a: 'b' }]]));
    expect(await rx.recv()).toEqual(new Map([[1, { a: 'b' }]]));
    rx.close();
    await expect(tx.send(1)).rejects.toBeInstanceOf(SendError);
    expect(tx.isClosed()).toBe(true);
    await tx.closed();
    expect(() => sharedMpsc.channel(0)).toThrow(RangeError);
  });
});
