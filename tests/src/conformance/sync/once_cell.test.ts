import { describe, it, expect } from 'vitest';
import { OnceCell, Notify, SkeinError, type JoinError, spawn, yieldNow } from '@skein/core';
import { withRuntime, settle, thrown, rejection, track } from './_support.js';

describe('OnceCell', () => {
  it('starts empty; set(v) stores v; a second set throws and keeps the first value', async () => {
    await withRuntime(async () => {
      const c = new OnceCell<number>();
      expect(c.get()).toBeUndefined();
      expect(c.initialized()).toBe(false);
      c.set(1);
      expect(c.get()).toBe(1);
      expect(c.initialized()).toBe(true);
      const err = thrown(() => c.set(2));
      expect(err).toBeInstanceOf(SkeinError);
      expect(typeof (err as SkeinError).code).toBe('string');
      expect(c.get()).toBe(1);
    });
  });

  it('getOrInit runs the initializer once under concurrency; every caller gets its value', async () => {
    await withRuntime(async () => {
      const c = new OnceCell<string>();
      let calls = 0;
      const init = async () => {
        calls++;
        await yieldNow();
        await yieldNow();
        return `v${calls}`;
      };
      const hs = Array.from({ length: 6 }, () => spawn(() => c.getOrInit(init)));
      const values: string[] = [];
      for (const h of hs) values.push(await h);
      expect(calls).toBe(1);
      expect(values).toEqual(Array(6).fill('v1'));
      expect(c.get()).toBe('v1');
      expect(await c.getOrInit(init)).toBe('v1');
      expect(calls).toBe(1);
    });
  });

  it('getOrInit on an initialized cell returns the value without calling f', async () => {
    await withRuntime(async () => {
      const c = new OnceCell<number>();
      c.set(3);
      let called = false;
      expect(
        await c.getOrInit(async () => {
          called = true;
          return 4;
        }),
      ).toBe(3);
      expect(called).toBe(false);
    });
  });

  it('a throwing initializer rejects its caller and leaves the cell empty; the next waiter initializes', async () => {
    await withRuntime(async () => {
      const c = new OnceCell<string>();
      const log: string[] = [];
      const first = track(
        c.getOrInit(async () => {
          log.push('first');
          await yieldNow();
          throw new Error('boom');
        }),
      );
      const second = track(
        c.getOrInit(async () => {
          log.push('second');
          return 'ok';
        }),
      );
      await settle();
      expect((first.error() as Error).message).toBe('boom');
      expect(await second.promise).toBe('ok');
      expect(log).toEqual(['first', 'second']);
      expect(c.get()).toBe('ok');
    });
  });

  it('an initializing task that is aborted lets the next waiter run its initializer', async () => {
    await withRuntime(async () => {
      const c = new OnceCell<string>();
      const never = new Notify();
      const log: string[] = [];
      const a = spawn(() =>
        c.getOrInit(async () => {
          log.push('a');
          await never.notified(); // a runtime await that is never notified
          return 'a';
        }),
      );
      await settle();
      const b = spawn(() =>
        c.getOrInit(async () => {
          log.push('b');
          return 'b';
        }),
      );
      await settle();
      expect(log).toEqual(['a']);
      a.abort();
      expect(((await rejection(a)) as JoinError).isCancelled()).toBe(true);
      expect(await b).toBe('b');
      expect(log).toEqual(['a', 'b']);
      expect(c.get()).toBe('b');
    });
  });
});
