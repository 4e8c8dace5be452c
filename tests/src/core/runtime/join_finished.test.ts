import { describe, it, expect } from 'vitest';
import { Runtime, spawn, JoinError } from '@skein/core';

/**
 * A finished task's JoinHandle keeps Promise semantics however it is consumed: callbacks
 * run asynchronously, failures surface through await, `then` and `Promise.all`, and a loop
 * over finished handles still spends the cooperative budget.
 */
describe('joining a finished task', () => {
  it('calls a user callback asynchronously, with the value', async () => {
    const rt = await Runtime.builder().build();
    await rt.blockOn(async () => {
      const h = spawn(() => 7);
      await h;
      const seen: string[] = [];
      const p = h.then((v) => { seen.push(`cb ${v}`); return v * 2; });
      seen.push('after then');
      expect(await p).toBe(14);
      expect(seen).toEqual(['after then', 'cb 7']);
    });
    await rt.shutdown();
  });

  it('rejects an await with the JoinError, and through Promise.all', async () => {
    const rt = await Runtime.builder().build();
    await rt.blockOn(async () => {
      const h = spawn((): number => { throw new Error('boom'); });
      const err = await h.then(() => undefined, (e: JoinError) => e);
      expect(err).toBeInstanceOf(JoinError);
      await expect(h).rejects.toBeInstanceOf(JoinError);
      const ok = spawn(() => 1);
      await ok;
      expect(await Promise.all([ok, ok])).toEqual([1, 1]);
      // A resolving function handed over explicitly works too.
      expect(await new Promise((resolve) => { void ok.then(resolve); })).toBe(1);
    });
    await rt.shutdown();
  });

  it('still charges the budget: a loop over finished handles lets timers run', async () => {
    const rt = await Runtime.builder().build();
    const forced = await rt.blockOn(async () => {
      const h = spawn(() => 1);
      await h;
      for (let i = 0; i < 1000; i++) await h;
      return rt.metrics().budgetForcedYieldCount;
    });
    expect(forced).toBeGreaterThan(0);
    await rt.shutdown();
  });
});
