import { describe, it, expect } from 'vitest';
import { OnceCell, SetError, SkeinError, spawn, sleep } from '@skein/core';
import { settle, withRuntime, thrown, rejection } from './helpers.js';

describe('OnceCell', () => {
  it('get / set / initialized; a second set throws a typed SkeinError', () => {
    const c = new OnceCell<number>();
    expect(c.get()).toBeUndefined();
    expect(c.initialized()).toBe(false);
    c.set(1);
    expect(c.get()).toBe(1);
    expect(c.initialized()).toBe(true);
    const e = thrown(() => c.set(2)) as SetError<number>;
    expect(e).toBeInstanceOf(SetError);
    expect(e).toBeInstanceOf(SkeinError);
    expect(e.kind).toBe('alreadyInitialized');
    expect(e.value).toBe(2);
    expect(e.code).toBe('ERR_SKEIN_ONCE_CELL_INITIALIZED');
    expect(c.get()).toBe(1);
    expect(new OnceCell('x').get()).toBe('x');
  });

  it('getOrInit runs f once under concurrency', async () => {
    await withRuntime(
      async () => {
        const c = new OnceCell<string>();
        let runs = 0;
        const f = async () => {
          runs++;
          await sleep(10);
          return 'v';
        };
        const hs = Array.from({ length: 20 }, () => spawn(() => c.getOrInit(f)));
        const got = [];
        for (const h of hs) got.push(await h);
        expect(runs).toBe(1);
        expect(new Set(got)).toEqual(new Set(['v']));
        expect(await c.getOrInit(() => 'other')).toBe('v');
      },
      { paused: true },
    );
  });

  it('if f throws, that caller gets the error and the next caller retries', async () => {
    await withRuntime(
      async () => {
        const c = new OnceCell<number>();
        const calls: number[] = [];
        const first = spawn(() =>
          c.getOrInit(async () => {
            calls.push(1);
            await sleep(5);
            throw new Error('boom');
          }),
        );
        await settle();
        const second = spawn(() =>
          c.getOrInit(async () => {
            calls.push(2);
            await sleep(5);
            return 2;
          }),
        );
        const third = spawn(() =>
          c.getOrInit(async () => {
            calls.push(3);
            return 3;
          }),
        );
        const e = await rejection(first);
        expect(String((e as { cause?: unknown }).cause)).toContain('boom');
        expect(await second).toBe(2);
        expect(await third).toBe(2);
        expect(calls).toEqual([1, 2]);
      },
      { paused: true },
    );
  });

  it('set() while an initializer runs throws SetError initializing', async () => {
    await withRuntime(
      async () => {
        const c = new OnceCell<number>();
        const p = c.getOrInit(async () => {
          await sleep(5);
          return 1;
        });
        const e = thrown(() => c.set(9)) as SetError<number>;
        expect(e.kind).toBe('initializing');
        expect(await p).toBe(1);
      },
      { paused: true },
    );
  });

  it('a cancelled initializer lets the next caller in', async () => {
    await withRuntime(
      async () => {
        const c = new OnceCell<number>();
        const a = spawn(() =>
          c.getOrInit(async () => {
            await sleep(1000);
            return 1;
          }),
        );
        await settle();
        const b = spawn(() => c.getOrInit(() => 2));
        await settle();
        a.abort();
        expect(await b).toBe(2);
        expect(c.get()).toBe(2);
      },
      { paused: true },
    );
  });
});
