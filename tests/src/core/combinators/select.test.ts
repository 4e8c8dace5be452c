/**
 * select: the first branch to settle wins; the losers' signals abort and their runtime
 * awaits reject with Cancelled; `biased` polls in declaration order, otherwise the start is
 * random.
 */
import { describe, it, expect, beforeEach, afterEach } from 'vitest';
import { Runtime, select, sleep, spawn, Instant, yieldNow, Cancelled, type JoinError } from '@skein/core';

let rt: Runtime;
beforeEach(async () => {
  rt = await Runtime.builder().startPaused(true).build();
});
afterEach(async () => {
  await rt.shutdown();
});

describe('select', () => {
  it('the first branch to settle wins, with its key and value', async () => {
    await rt.blockOn(async () => {
      const t0 = Instant.now();
      const r = await select({
        slow: async () => {
          await sleep(30);
          return 'slow';
        },
        fast: async () => {
          await sleep(10);
          return 42;
        },
        mid: async () => {
          await sleep(20);
          return 'mid';
        },
      });
      expect(r).toEqual({ key: 'fast', value: 42 });
      expect(Instant.now()).toBe(t0 + 10);
    });
  });

  it('a rejection wins too and is rethrown', async () => {
    await rt.blockOn(async () => {
      const boom = new Error('boom');
      await expect(
        select({
          a: async () => {
            await sleep(5);
            throw boom;
          },
          b: async () => {
            await sleep(10);
            return 1;
          },
        }),
      ).rejects.toBe(boom);
    });
  });

  it("each branch gets its own AbortSignal; the losers' abort and their runtime awaits reject with Cancelled", async () => {
    await rt.blockOn(async () => {
      const signals: Record<string, AbortSignal> = {};
      const inner: Record<string, unknown> = {};
      const cleaned: string[] = [];
      const loser = (k: string, ms: number) => async (s: AbortSignal) => {
        signals[k] = s;
        try {
          await sleep(ms);
          return k;
        } catch (e) {
          inner[k] = e;
          throw e;
        } finally {
          cleaned.push(k);
        }
      };
      const r = await select({
        win: async (s: AbortSignal) => {
          signals.win = s;
          await sleep(5);
          return 'win';
        },
        l1: loser('l1', 100),
        l2: loser('l2', 200),
      });
      expect(r.key).toBe('win');
      expect(signals.win!.aborted).toBe(false);
      expect(signals.l1!.aborted).toBe(true);
      expect(signals.l2!.aborted).toBe(true);
      await yieldNow();
      expect(inner.l1).toBeInstanceOf(Cancelled);
      expect(inner.l2).toBeInstanceOf(Cancelled);
      expect(cleaned.sort()).toEqual(['l1', 'l2']);
    });
  });

  it("a loser's later runtime awaits reject with Cancelled too; the surrounding task is unaffected", async () => {
    await rt.blockOn(async () => {
      const outcomes: string[] = [];
      const done = spawn(() => 0);
      await done;
      await select({
        a: () => sleep(1),
        b: async () => {
          try {
            await sleep(100);
          } catch {
            outcomes.push('sleep');
          }
          try {
            await sleep(1);
            outcomes.push('resolved');
          } catch (e) {
            outcomes.push(e instanceof Cancelled ? 'sleep2' : '?');
          }
          try {
            await done;
            outcomes.push('join resolved');
          } catch (e) {
            outcomes.push(e instanceof Cancelled ? 'join' : '?');
          }
        },
      });
      await sleep(5); // the root itself is not cancelled
      expect(outcomes).toEqual(['sleep', 'sleep2', 'join']);
    });
  });

  it('biased: with every branch ready, the first declared always wins', async () => {
    await rt.blockOn(async () => {
      for (let i = 0; i < 200; i++) {
        const r = await select({ a: async () => 'a', b: async () => 'b', c: async () => 'c' }, { biased: true });
        expect(r.key).toBe('a');
      }
    });
  });

  it('unbiased: with every branch ready, each wins about equally often (random start)', async () => {
    await rt.blockOn(async () => {
      const N = 3000;
      const wins: Record<string, number> = { a: 0, b: 0, c: 0 };
      for (let i = 0; i < N; i++) {
        const r = await select({ a: async () => 1, b: async () => 2, c: async () => 3 });
        wins[r.key]!++;
      }
      // Expected 1000 each; sd ≈ 26. A fixed order would give 3000/0/0.
      for (const k of ['a', 'b', 'c']) {
        expect(wins[k]).toBeGreaterThan(800);
        expect(wins[k]).toBeLessThan(1200);
      }
    });
  });

  it('unbiased: branches that become ready together in the same wake are also picked fairly', async () => {
    await rt.blockOn(async () => {
      const N = 600;
      const wins: Record<string, number> = { a: 0, b: 0 };
      for (let i = 0; i < N; i++) {
        const r = await select({ a: () => sleep(1), b: () => sleep(1) });
        wins[r.key]!++;
      }
      expect(wins.a).toBeGreaterThan(200);
      expect(wins.b).toBeGreaterThan(200);
    });
  });

  it('an aborted task cancels its pending select branches', async () => {
    await rt.blockOn(async () => {
      const inner: unknown[] = [];
      const h = spawn(() =>
        select({
          a: async () => {
            try {
              await sleep(100);
            } catch (e) {
              inner.push(e);
              throw e;
            }
          },
          b: async () => {
            try {
              await sleep(200);
            } catch (e) {
              inner.push(e);
              throw e;
            }
          },
        }),
      );
      await yieldNow();
      h.abort();
      expect(
        (
          (await h.then(
            () => null,
            (e: unknown) => e,
          )) as JoinError
        ).isCancelled(),
      ).toBe(true);
      await yieldNow();
      expect(inner).toHaveLength(2);
      for (const x of inner) expect(x).toBeInstanceOf(Cancelled);
    });
  });

  it('a thunk ready at once (returns a value) wins, and the branches after it never start', async () => {
    await rt.blockOn(async () => {
      const started: string[] = [];
      const r = await select(
        {
          a: () => {
            started.push('a');
            return 'A';
          },
          b: () => {
            started.push('b');
            return sleep(1);
          },
        },
        { biased: true },
      );
      expect(r).toEqual({ key: 'a', value: 'A' });
      expect(started).toEqual(['a']);
    });
  });

  it('a thunk throwing synchronously wins as a rejection, and the branches after it never start', async () => {
    await rt.blockOn(async () => {
      const boom = new Error('boom');
      const started: string[] = [];
      const r = select(
        {
          a: () => {
            started.push('a');
            throw boom;
          },
          b: () => {
            started.push('b');
            return sleep(1);
          },
        },
        { biased: true },
      );
      await expect(r).rejects.toBe(boom);
      expect(started).toEqual(['a']);
    });
  });

  it('a ready thunk after a promise branch wins; the promise branch started before it is cancelled', async () => {
    await rt.blockOn(async () => {
      let signal: AbortSignal | undefined;
      let loser: unknown;
      const r = await select(
        {
          slow: async (s: AbortSignal) => {
            signal = s;
            try {
              await sleep(10);
            } catch (e) {
              loser = e;
            }
          },
          ready: () => 'now',
        },
        { biased: true },
      );
      expect(r).toEqual({ key: 'ready', value: 'now' });
      expect(signal!.aborted).toBe(true);
      expect(loser).toBeInstanceOf(Cancelled);
    });
  });

  it('unbiased: a ready thunk always wins; a branch rotated before it starts, one after it does not', async () => {
    await rt.blockOn(async () => {
      let started = 0;
      const N = 200;
      for (let i = 0; i < N; i++) {
        const r = await select({
          other: async () => {
            started++;
            await sleep(10);
          },
          ready: () => 'now',
        });
        expect(r.key).toBe('ready');
      }
      expect(started).toBeGreaterThan(0);
      expect(started).toBeLessThan(N);
    });
  });

  it('bad arguments: coded TypeErrors', async () => {
    await rt.blockOn(async () => {
      const fail = (f: () => unknown): { name: string; code?: string } => {
        try {
          f();
        } catch (e) {
          return { name: (e as Error).constructor.name, code: (e as { code?: string }).code };
        }
        return { name: 'none' };
      };
      expect(fail(() => select(null as never))).toEqual({ name: 'TypeError', code: 'ERR_INVALID_ARG_TYPE' });
      expect(fail(() => select({}))).toMatchObject({ name: 'TypeError' });
      expect(fail(() => select({ a: 5 as never }))).toEqual({ name: 'TypeError', code: 'ERR_INVALID_ARG_TYPE' });
    });
  });
});
