/**
 * taskLocal: scoped bindings that follow every await of the scope (foreign ones included)
 * and are not inherited by spawned tasks.
 */
import { describe, it, expect, afterEach, beforeEach } from 'vitest';
import { Runtime, taskLocal, TaskLocal, spawn, sleep, yieldNow, select, join, SkeinError } from '@skein/core';

let rt: Runtime;
beforeEach(async () => {
  rt = await Runtime.currentThread();
});
afterEach(async () => {
  await rt.shutdown();
});

describe('taskLocal', () => {
  it('scope binds a value for get/tryGet and returns what fn returns', async () => {
    const REQ = taskLocal<string>();
    expect(REQ).toBeInstanceOf(TaskLocal);
    await rt.blockOn(async () => {
      expect(REQ.tryGet()).toBeUndefined();
      const r = await REQ.scope('req-1', async () => {
        expect(REQ.get()).toBe('req-1');
        expect(REQ.tryGet()).toBe('req-1');
        return 'result';
      });
      expect(r).toBe('result');
      expect(REQ.tryGet()).toBeUndefined();
      // Synchronous fn too.
      expect(REQ.scope('sync', () => REQ.get())).toBe('sync');
    });
  });

  it('get() outside a scope throws a typed SkeinError', async () => {
    const K = taskLocal<number>();
    await rt.blockOn(() => {
      let err: unknown;
      try {
        K.get();
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(SkeinError);
      expect((err as SkeinError).code).toBe('ERR_SKEIN_TASK_LOCAL_UNSET');
    });
    // And outside any runtime.
    expect(() => K.get()).toThrow(SkeinError);
    expect(K.tryGet()).toBeUndefined();
  });

  it('stays visible across runtime and foreign awaits (setTimeout, plain promises, setImmediate)', async () => {
    const K = taskLocal<string>();
    const seen: string[] = [];
    await rt.blockOn(() =>
      K.scope('v', async () => {
        seen.push(K.get());
        await sleep(1);
        seen.push(K.get());
        await new Promise((r) => setTimeout(r, 2));
        seen.push(K.get());
        await Promise.resolve();
        seen.push(K.get());
        await new Promise((r) => setImmediate(r));
        seen.push(K.get());
        await yieldNow();
        seen.push(K.get());
        await spawn(() => 1);
        seen.push(K.get());
      }),
    );
    expect(seen).toEqual(['v', 'v', 'v', 'v', 'v', 'v', 'v']);
  });

  it('nested scopes shadow and restore; different keys are independent', async () => {
    const A = taskLocal<number>();
    const B = taskLocal<number>();
    await rt.blockOn(() =>
      A.scope(1, async () => {
        await B.scope(10, async () => {
          await A.scope(2, async () => {
            await sleep(1);
            expect(A.get()).toBe(2);
            expect(B.get()).toBe(10);
          });
          await sleep(1);
          expect(A.get()).toBe(1);
        });
        expect(B.tryGet()).toBeUndefined();
        expect(A.get()).toBe(1);
      }),
    );
  });

  it('is not inherited by spawned tasks', async () => {
    const K = taskLocal<string>();
    await rt.blockOn(() =>
      K.scope('parent', async () => {
        const inChild = await spawn(async () => {
          await sleep(1);
          return K.tryGet();
        });
        expect(inChild).toBeUndefined();
        // A child can bind its own value without affecting the parent.
        const own = await spawn(() =>
          K.scope('child', async () => {
            await sleep(1);
            return K.get();
          }),
        );
        expect(own).toBe('child');
        expect(K.get()).toBe('parent');
      }),
    );
  });

  it('concurrent scopes in different tasks do not leak into each other', async () => {
    const K = taskLocal<number>();
    await rt.blockOn(async () => {
      const hs = [0, 1, 2, 3, 4].map((i) =>
        spawn(() =>
          K.scope(i, async () => {
            const out: number[] = [];
            for (let j = 0; j < 3; j++) {
              await sleep(5 - i);
              out.push(K.get());
              await new Promise((r) => setTimeout(r, i));
              out.push(K.get());
            }
            return out;
          }),
        ),
      );
      const results = await Promise.all(hs);
      for (const [i, out] of results.entries()) expect(out).toEqual([i, i, i, i, i, i]);
    });
  });

  it('is visible inside select and join branches of the scope', async () => {
    const K = taskLocal<string>();
    await rt.blockOn(() =>
      K.scope('x', async () => {
        const s = await select({
          a: async () => {
            await sleep(1);
            return K.get();
          },
        });
        expect(s.value).toBe('x');
        const [j] = await join(async () => {
          await sleep(1);
          return K.get();
        });
        expect(j).toBe('x');
      }),
    );
  });
});
