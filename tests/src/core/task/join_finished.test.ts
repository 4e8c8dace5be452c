import { inspect, types } from 'node:util';
import { describe, it, expect } from 'vitest';
import { awaitPosition } from '../../support/outcomes.js';
import { Runtime, spawn, JoinError, JoinHandle, oneshot, yieldNow } from '@skein/core';

/**
 * A finished task's JoinHandle keeps Promise semantics however it is consumed: callbacks
 * run asynchronously, failures surface through await, `then` and `Promise.all`, and a loop
 * over finished handles still spends the cooperative budget. `await` on a handle whose task
 * has returned resumes as `await` on a resolved promise does, one microtask later.
 */
describe('joining a finished task', () => {
  it('calls a user callback asynchronously, with the value', async () => {
    const rt = await Runtime.builder().build();
    await rt.blockOn(async () => {
      const h = spawn(() => 7);
      await h;
      const seen: string[] = [];
      const p = h.then((v) => {
        seen.push(`cb ${v}`);
        return v * 2;
      });
      seen.push('after then');
      expect(await p).toBe(14);
      expect(seen).toEqual(['after then', 'cb 7']);
    });
    await rt.shutdown();
  });

  it('rejects an await with the JoinError, and through Promise.all', async () => {
    const rt = await Runtime.builder().build();
    await rt.blockOn(async () => {
      const h = spawn((): number => {
        throw new Error('boom');
      });
      const err = await h.then(
        () => undefined,
        (e: JoinError) => e,
      );
      expect(err).toBeInstanceOf(JoinError);
      await expect(h).rejects.toBeInstanceOf(JoinError);
      const ok = spawn(() => 1);
      await ok;
      expect(await Promise.all([ok, ok])).toEqual([1, 1]);
      // A resolving function handed over explicitly works too.
      expect(
        await new Promise((resolve) => {
          void ok.then(resolve);
        }),
      ).toBe(1);
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

  it('resumes an await one microtask later, as a resolved promise does', async () => {
    const rt = await Runtime.builder().build();
    await rt.blockOn(async () => {
      const h = spawn(() => 7);
      await h;
      const viaHandle = await awaitPosition(h);
      expect(viaHandle).toEqual(await awaitPosition(Promise.resolve(7)));
      expect(viaHandle[0]).toBe('got 7');
    });
    await rt.shutdown();
  });

  it('is a promise object, shown as a handle, whose native then makes plain promises', async () => {
    const rt = await Runtime.builder().build();
    await rt.blockOn(async () => {
      const h = spawn(() => 7);
      expect(h).toBeInstanceOf(JoinHandle);
      expect(h).toBeInstanceOf(Promise);
      expect(types.isPromise(h)).toBe(true);
      expect(Object.prototype.toString.call(h)).toBe('[object JoinHandle]');
      expect(inspect(h)).toBe(`JoinHandle { id: ${h.id}, finished: false }`);
      expect(await h).toBe(7);
      expect(inspect(h)).toBe(`JoinHandle { id: ${h.id}, finished: true }`);
      // Reached only on purpose; it must still work, and make a Promise, not a handle.
      const doubled = Promise.prototype.then.call(h, (v) => (v as number) * 2);
      expect(doubled.constructor).toBe(Promise);
      expect(doubled).not.toBeInstanceOf(JoinHandle);
      expect(await doubled).toBe(14);
      // A failed task's handle is never rejected (no unhandled rejection can come of it),
      // so this derived promise stays pending; making it must not construct a handle.
      const failed = spawn((): number => {
        throw new Error('boom');
      });
      await failed.catch(() => undefined);
      const derived = Promise.prototype.then.call(failed, () => 0);
      expect(derived.constructor).toBe(Promise);
      expect(derived).not.toBeInstanceOf(JoinHandle);
    });
    await rt.shutdown();
  });
  it('reading `constructor` outside await changes nothing a user can see', async () => {
    const rt = await Runtime.builder().build();
    await rt.blockOn(async () => {
      const [tx, rx] = oneshot.channel<number>();
      const h = spawn(async () => (await rx) * 2);
      // Before the task finished: the getter answers JoinHandle and settles nothing.
      expect(h.constructor).toBe(JoinHandle);
      expect(h.isFinished()).toBe(false);
      tx.send(21);
      const seen: string[] = [];
      const viaThen = h.then((v) => {
        seen.push(`then ${v}`);
        return v;
      });
      expect(await h).toBe(42);
      expect(await viaThen).toBe(42);
      // After it finished: the getter answers Promise, and every way of reading the outcome
      // still gives the same value, callbacks still run asynchronously.
      expect(h.constructor).toBe(Promise);
      expect(h.constructor).toBe(Promise);
      expect(h.isFinished()).toBe(true);
      expect(await h).toBe(42);
      const later = h.then((v) => {
        seen.push(`later ${v}`);
        return v + 1;
      });
      seen.push('after then');
      expect(await later).toBe(43);
      expect(seen).toEqual(['then 42', 'after then', 'later 42']);
      expect(await Promise.all([h, h])).toEqual([42, 42]);

      // A failed task: the getter never takes the fast path, and the rejection stays.
      const failed = spawn(async (): Promise<number> => {
        throw new Error('boom');
      });
      expect(failed.constructor).toBe(JoinHandle);
      await failed.then(undefined, () => undefined);
      expect(failed.constructor).toBe(JoinHandle);
      expect(failed.isFinished()).toBe(true);
      const err = await failed.then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(JoinError);
      expect((err as JoinError).isPanic()).toBe(true);
      await expect(failed).rejects.toBe(err);

      // A handle whose getter was read only outside await, never awaited before.
      const untouched = spawn(() => 5);
      await yieldNow(); // lets it run
      expect(untouched.isFinished()).toBe(true);
      expect(untouched.constructor).toBe(Promise);
      expect(await untouched.then((v) => v)).toBe(5);
      expect(await untouched).toBe(5);
    });
    await rt.shutdown();
  });
});
