import { describe, it, expect } from 'vitest';
import { Barrier, spawn, sleep } from '@skein/core';
import { settle, withRuntime, thrown } from './helpers.js';

describe('Barrier', () => {
  it('releases n tasks together with exactly one leader per generation', async () => {
    await withRuntime(
      async () => {
        const n = 5;
        const b = new Barrier(n);
        const leaders: number[] = [0, 0, 0];
        const arrivals: number[] = [];
        const hs = Array.from({ length: n }, (_, i) =>
          spawn(async () => {
            for (let gen = 0; gen < 3; gen++) {
              await sleep(i);
              const r = await b.wait();
              arrivals.push(gen);
              if (r.isLeader) leaders[gen]!++;
            }
          }),
        );
        for (const h of hs) await h;
        expect(leaders).toEqual([1, 1, 1]);
        // Nobody ran ahead into the next generation.
        expect(arrivals).toEqual([0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 2, 2, 2, 2, 2]);
        expect(b.generation).toBe(3);
      },
      { paused: true },
    );
  });

  it('waits until the n-th arrival; the last to arrive leads', async () => {
    await withRuntime(async () => {
      const b = new Barrier(3);
      const results: boolean[] = [];
      const h1 = spawn(async () => results.push((await b.wait()).isLeader));
      const h2 = spawn(async () => results.push((await b.wait()).isLeader));
      await settle();
      expect(results).toEqual([]);
      const r = await b.wait();
      expect(r.isLeader).toBe(true);
      await h1;
      await h2;
      expect(results).toEqual([false, false]);
    });
  });

  it('Barrier(0) and Barrier(1) never wait; bad n throws RangeError', async () => {
    expect((await new Barrier(0).wait()).isLeader).toBe(true);
    expect((await new Barrier(1).wait()).isLeader).toBe(true);
    const e = thrown(() => new Barrier(-1)) as RangeError & { code: string };
    expect(e).toBeInstanceOf(RangeError);
    expect(e.code).toBe('ERR_OUT_OF_RANGE');
  });

  it('a cancelled waiter still counts toward its generation (as in Tokio)', async () => {
    await withRuntime(async () => {
      const b = new Barrier(3);
      const a = spawn(() => b.wait());
      const c = spawn(() => b.wait());
      await settle();
      a.abort();
      await settle();
      const r = await b.wait();
      expect(r.isLeader).toBe(true);
      expect((await c).isLeader).toBe(false);
    });
  });
});
