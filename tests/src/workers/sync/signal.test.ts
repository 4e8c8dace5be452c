import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JoinError, Runtime, SetError, SerializationError, spawn } from '@skein/core';
import { SharedBarrier, SharedNotify, SharedOnceCell } from '@skein/workers';
import { awaitNotify, barrierRounds, initCell } from './fixtures/signal_tasks.js';

function ints(n: number): Int32Array {
  return new Int32Array(new SharedArrayBuffer(n * 4));
}

/** Resolves once `flags[i] >= n` (another thread counts it up). */
async function until(flags: Int32Array, i: number, n: number): Promise<void> {
  for (let v = Atomics.load(flags, i); v < n; v = Atomics.load(flags, i)) {
    const r = (
      Atomics as unknown as {
        waitAsync(a: Int32Array, i: number, v: number): { async: boolean; value: Promise<unknown> };
      }
    ).waitAsync(flags, i, v);
    if (r.async) await r.value;
  }
}

describe('SharedBarrier, SharedNotify, SharedOnceCell across worker threads', () => {
  let rt: Runtime;
  beforeAll(async () => {
    rt = await Runtime.builder().multiThread().workerThreads(4).logger('silent').build();
  });
  afterAll(async () => {
    await rt.shutdown();
  });

  it('Barrier: 8 tasks on 4 workers, 5 rounds: exactly one leader per generation', async () => {
    const b = new SharedBarrier(8);
    const leaders = ints(5);
    const led = await rt.blockOn(async () => {
      const hs = Array.from({ length: 8 }, () => spawn(barrierRounds, b, 5, leaders));
      let n = 0;
      for (const h of hs) n += await h;
      return n;
    });
    expect(led).toBe(5);
    expect(Array.from(leaders)).toEqual([1, 1, 1, 1, 1]);
    expect(b.generation).toBe(5);
  });

  it('Barrier: the main thread takes part; n = 0 behaves as 1', async () => {
    const b = new SharedBarrier(3);
    const leaders = ints(1);
    await rt.blockOn(async () => {
      const hs = [spawn(barrierRounds, b, 1, leaders), spawn(barrierRounds, b, 1, leaders)];
      const mine = await b.wait();
      const theirs = (await hs[0]!) + (await hs[1]!);
      expect(theirs + (mine.isLeader ? 1 : 0)).toBe(1);
      expect((await new SharedBarrier(0).wait()).isLeader).toBe(true);
    });
  });

  it('Notify: notifyOne with nobody waiting stores one permit (not two)', async () => {
    const n = new SharedNotify();
    const flags = ints(2);
    await rt.blockOn(async () => {
      n.notifyOne();
      n.notifyOne();
      await spawn(awaitNotify, n, flags); // consumes the stored permit
      const h = spawn(awaitNotify, n, flags);
      await until(flags, 0, 2);
      while (n.waiterCount() === 0) await new Promise((r) => setImmediate(r));
      expect(Atomics.load(flags, 1)).toBe(1); // the second one waits: one permit only
      n.notifyOne();
      await h;
      expect(Atomics.load(flags, 1)).toBe(2);
    });
  });

  it('Notify: notifyOne wakes exactly one waiter on another thread, notifyWaiters the rest, storing nothing', async () => {
    const n = new SharedNotify();
    const flags = ints(2);
    await rt.blockOn(async () => {
      const hs = Array.from({ length: 4 }, () => spawn(awaitNotify, n, flags));
      await until(flags, 0, 4);
      while (n.waiterCount() < 4) await new Promise((r) => setImmediate(r));
      n.notifyOne();
      await until(flags, 1, 1);
      expect(n.waiterCount()).toBe(3);
      n.notifyWaiters();
      for (const h of hs) await h;
      expect(Atomics.load(flags, 1)).toBe(4);
      // notifyWaiters stored nothing: a new waiter waits until notified.
      const late = n.notified();
      expect(n.waiterCount()).toBe(1);
      n.notifyLast();
      await late;
    });
  });

  it('Notify: an aborted waiter leaves the queue; a later notifyOne reaches the next one', async () => {
    const n = new SharedNotify();
    const flags = ints(2);
    await rt.blockOn(async () => {
      const a = spawn(awaitNotify, n, flags);
      await until(flags, 0, 1);
      while (n.waiterCount() < 1) await new Promise((r) => setImmediate(r));
      const b = spawn(awaitNotify, n, flags);
      await until(flags, 0, 2);
      while (n.waiterCount() < 2) await new Promise((r) => setImmediate(r));
      a.abort();
      await expect(a).rejects.toThrow(JoinError);
      // The worker unlinks the cancelled waiter as it runs the cancellation.
      while (n.waiterCount() > 1) await new Promise((r) => setImmediate(r));
      n.notifyOne();
      await b;
      expect(Atomics.load(flags, 1)).toBe(1);
    });
  });

  it('OnceCell: 8 tasks on 4 workers and the main thread: the initializer runs once, all see its value', async () => {
    const cell = new SharedOnceCell<{ by: string }>();
    const runs = ints(2);
    await rt.blockOn(async () => {
      const hs = Array.from({ length: 8 }, (_, i) => spawn(initCell, cell, `t${i}`, 20, false, runs));
      const mine = await cell.getOrInit(() => ({ by: 'main' }));
      const got = await Promise.all(hs);
      expect(new Set([...got, mine.by]).size).toBe(1);
    });
    expect(Atomics.load(runs, 0) + (cell.get()!.by === 'main' ? 1 : 0)).toBe(1);
    expect(cell.initialized()).toBe(true);
    expect(() => cell.set({ by: 'late' })).toThrow(SetError);
  });

  it('OnceCell: a failed initializer lets the next caller on another thread try', async () => {
    const cell = new SharedOnceCell<{ by: string }>();
    const runs = ints(2);
    await rt.blockOn(async () => {
      const bad = spawn(initCell, cell, 'bad', 30, true, runs);
      await until(runs, 1, 1);
      const good = [spawn(initCell, cell, 'good', 1, false, runs), spawn(initCell, cell, 'good2', 1, false, runs)];
      await expect(bad).rejects.toThrow(/init by bad failed/);
      const got = await Promise.all(good);
      expect(got[0]).toBe(got[1]);
      expect(Atomics.load(runs, 0)).toBe(2);
    });
  });

  it('OnceCell: a cancelled initializer lets the next caller try; set refuses while one runs', async () => {
    const cell = new SharedOnceCell<{ by: string }>();
    const runs = ints(2);
    await rt.blockOn(async () => {
      const slow = spawn(initCell, cell, 'slow', 60_000, false, runs);
      await until(runs, 1, 1);
      expect(() => cell.set({ by: 'x' })).toThrow(expect.objectContaining({ kind: 'initializing' }));
      const next = spawn(initCell, cell, 'next', 1, false, runs);
      slow.abort();
      await expect(slow).rejects.toThrow(JoinError);
      expect(await next).toBe('next');
    });
    expect(cell.get()).toEqual({ by: 'next' });
  });

  it('OnceCell: values by structured clone; uncloneable throws SerializationError and stores nothing', async () => {
    const cell = new SharedOnceCell<unknown>({ maxBytes: 64 });
    expect(() => cell.set(() => 1)).toThrow(SerializationError);
    expect(() => cell.set('x'.repeat(100))).toThrow(RangeError);
    expect(cell.initialized()).toBe(false);
    cell.set({ a: [1, 2] });
    expect(cell.get()).toEqual({ a: [1, 2] });
  });

  it('aborting Notify waiters and OnceCell initializers at random moments leaks no waiter, permit or init slot', async () => {
    let seed = 11;
    const rand = (n: number): number => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    const n = new SharedNotify();
    const cell = new SharedOnceCell<{ by: string }>();
    const flags = ints(2);
    const runs = ints(2);
    await rt.blockOn(async () => {
      const waiters = Array.from({ length: 12 }, () => spawn(awaitNotify, n, flags));
      const inits = Array.from({ length: 6 }, (_, i) => spawn(initCell, cell, `i${i}`, 5 + rand(10), false, runs));
      for (let i = 0; i < 30; i++) {
        if (rand(3) === 0) n.notifyOne();
        if (rand(3) === 0) waiters[rand(waiters.length)]!.abort();
        if (rand(4) === 0) inits[rand(inits.length)]!.abort();
        await new Promise((r) => setTimeout(r, rand(3)));
      }
      n.notifyWaiters();
      const ws = await Promise.allSettled(waiters);
      const is = await Promise.allSettled(inits);
      // Every waiter either got a notification or was cancelled; none is left queued.
      while (n.waiterCount() > 0) await new Promise((r) => setTimeout(r, 1));
      expect(ws.filter((r) => r.status === 'fulfilled').length).toBe(Atomics.load(flags, 1));
      // Some initializer finished unless all were aborted; then the cell is still free to init.
      const done = is.filter((r) => r.status === 'fulfilled').map((r) => (r as PromiseFulfilledResult<string>).value);
      const v = await cell.getOrInit(() => ({ by: 'main' }));
      for (const d of done) expect(d).toBe(v.by);
    });
  });
});
