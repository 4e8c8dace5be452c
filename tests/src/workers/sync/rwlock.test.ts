import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Runtime, TryLockError, spawn } from '@skein/core';
import { SharedRwLock } from '@skein/workers';
import { readWrite } from './fixtures/lock_tasks.js';

describe('SharedRwLock across worker threads', () => {
  let rt: Runtime;
  beforeAll(async () => {
    rt = await Runtime.builder().multiThread().workerThreads(2).logger('silent').build();
  });
  afterAll(async () => {
    await rt.shutdown();
  });

  it('readers share, writers exclude, and every write is kept', async () => {
    const l = new SharedRwLock<string[]>([]);
    const state = new Int32Array(new SharedArrayBuffer(8));
    const writes = await rt.blockOn(async () => {
      const hs = Array.from({ length: 6 }, (_, i) => spawn(readWrite, l, `t${i}`, 40, 5, state));
      let n = 0;
      for (const h of hs) n += await h;
      return n;
    });
    expect(Atomics.load(state, 1)).toBe(0);
    expect(writes).toBe(6 * 8);
    const tags = l.tryRead().value;
    expect(tags).toHaveLength(48);
    for (let i = 0; i < 6; i++) expect(tags.filter((t) => t === `t${i}`)).toHaveLength(8);
  });

  it('is write-preferring: a queued writer holds back later readers; downgrade lets them in', async () => {
    const l = new SharedRwLock(1, { maxReaders: 3 });
    const r1 = l.tryRead();
    const order: string[] = [];
    const w = l.write().then((g) => {
      order.push('write');
      g.value = 2;
      return g.downgrade();
    });
    await new Promise((r) => setTimeout(r, 5));
    expect(() => l.tryRead()).toThrow(TryLockError);
    const r2 = l.read().then((g) => {
      order.push(`read ${g.value}`);
      g.release();
    });
    r1.release();
    const down = await w;
    await r2;
    expect(order).toEqual(['write', 'read 2']);
    expect(down.value).toBe(2);
    expect(() => l.tryWrite()).toThrow(TryLockError);
    down.release();
    l.tryWrite().release();
    expect(l.maxReaders).toBe(3);
    expect(() => new SharedRwLock(0, { maxReaders: 0 })).toThrow(RangeError);
  });
});
