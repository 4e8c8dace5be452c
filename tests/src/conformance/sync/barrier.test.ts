import { describe, it, expect } from 'vitest';
import { Barrier, spawn } from '@skein/core';
import { withRuntime, settle, track } from './_support.js';

describe('Barrier', () => {
  it('releases nobody until the n-th arrival, then everyone, with exactly one leader', async () => {
    await withRuntime(async () => {
      const b = new Barrier(3);
      const first = [track(b.wait()), track(b.wait())];
      await settle();
      expect(first.map((t) => t.settled())).toEqual([false, false]);
      const third = track(b.wait());
      await settle();
      const all = [...first, third];
      expect(all.map((t) => t.settled())).toEqual([true, true, true]);
      const results = await Promise.all(all.map((t) => t.promise));
      expect(results.filter((r) => r.isLeader === true)).toHaveLength(1);
      expect(results.every((r) => typeof r.isLeader === 'boolean')).toBe(true);
    });
  });

  it('is reusable: each generation has exactly one leader and needs n fresh arrivals', async () => {
    await withRuntime(async () => {
      const n = 4;
      const b = new Barrier(n);
      const leadersPerRound: number[] = [];
      const arrivals: number[] = [];
      const hs = Array.from({ length: n }, (_, i) =>
        spawn(async () => {
          let leaderCount = 0;
          for (let round = 0; round < 3; round++) {
            arrivals.push(round);
            const r = await b.wait();
            if (r.isLeader) leaderCount++;
            // Nobody passes round r before all n arrived at round r.
            expect(arrivals.filter((x) => x === round)).toHaveLength(n);
            if (i === 0) leadersPerRound.push(round);
          }
          return leaderCount;
        }),
      );
      const counts: number[] = [];
      for (const h of hs) counts.push(await h);
      expect(counts.reduce((a, c) => a + c, 0)).toBe(3);
      expect(leadersPerRound).toEqual([0, 1, 2]);
    });
  });

  it('a barrier of 1 releases at once, as leader', async () => {
    await withRuntime(async () => {
      const b = new Barrier(1);
      expect((await b.wait()).isLeader).toBe(true);
      expect((await b.wait()).isLeader).toBe(true);
    });
  });

  it('an arrival for the next generation waits for that generation', async () => {
    await withRuntime(async () => {
      const b = new Barrier(2);
      const g1 = [track(b.wait()), track(b.wait())];
      const next = track(b.wait());
      await settle();
      expect(g1.map((t) => t.settled())).toEqual([true, true]);
      expect(next.settled()).toBe(false);
      const last = track(b.wait());
      await settle();
      expect(next.settled()).toBe(true);
      const rs = [await next.promise, await last.promise];
      expect(rs.filter((r) => r.isLeader)).toHaveLength(1);
    });
  });
});
