import { describe, expect, it } from 'vitest';
import {
  AbortHandle,
  Cancelled,
  Instant,
  JoinError,
  JoinSet,
  NotSendableError,
  sleep,
  spawn,
  yieldNow,
} from '@skein/core';
import { caught, runPaused } from './helpers.js';

/** Spawn tasks that sleep `d` ms and return `d`. */
function sleepers(set: JoinSet<number>, ds: number[]): AbortHandle[] {
  return ds.map((d) =>
    set.spawn(async () => {
      await sleep(d);
      return d;
    }),
  );
}

describe('JoinSet', () => {
  it('spawn returns an AbortHandle and size/isEmpty track the tasks', async () => {
    await runPaused(async () => {
      const set = new JoinSet<number>();
      expect(set.size).toBe(0);
      expect(set.isEmpty()).toBe(true);
      const hs = sleepers(set, [10, 20]);
      for (const h of hs) {
        expect(h).toBeInstanceOf(AbortHandle);
        expect(typeof h.id).toBe('number');
        expect(h.isFinished()).toBe(false);
      }
      expect(hs[0]!.id).not.toBe(hs[1]!.id);
      expect(set.size).toBe(2);
      expect(set.isEmpty()).toBe(false);
      await set.joinNext();
      expect(set.size).toBe(1);
      await set.joinNext();
      expect(set.size).toBe(0);
      expect(set.isEmpty()).toBe(true);
    });
  });

  it('joinNext yields values in completion order, then undefined when empty', async () => {
    await runPaused(async () => {
      const set = new JoinSet<number>();
      sleepers(set, [30, 10, 20]);
      const t0 = Instant.now();
      const got: Array<[number | undefined, number]> = [];
      for (let i = 0; i < 3; i++) {
        const v = await set.joinNext();
        got.push([v, Instant.now() - t0]);
      }
      expect(got).toEqual([
        [10, 10],
        [20, 20],
        [30, 30],
      ]);
      expect(await set.joinNext()).toBeUndefined();
    });
  });

  it('joinNext on a fresh set resolves undefined at once', async () => {
    await runPaused(async () => {
      const set = new JoinSet<string>();
      const t0 = Instant.now();
      expect(await set.joinNext()).toBeUndefined();
      expect(Instant.now()).toBe(t0);
    });
  });

  it('joinNext throws JoinError (isPanic, cause) for a failed task and continues afterwards', async () => {
    await runPaused(async () => {
      const set = new JoinSet<number>();
      const boom = new Error('boom');
      set.spawn(async () => {
        await sleep(5);
        throw boom;
      });
      set.spawn(async () => {
        await sleep(10);
        return 10;
      });
      const err = await caught(() => set.joinNext());
      expect(err).toBeInstanceOf(JoinError);
      expect((err as JoinError).isPanic()).toBe(true);
      expect((err as JoinError).cause).toBe(boom);
      expect(set.size).toBe(1);
      expect(await set.joinNext()).toBe(10);
    });
  });

  it('an aborted member yields a cancelled JoinError carrying its id', async () => {
    await runPaused(async () => {
      const set = new JoinSet<number>();
      const [a] = sleepers(set, [100, 50]);
      a!.abort();
      const err = await caught(() => set.joinNext());
      expect(err).toBeInstanceOf(JoinError);
      expect((err as JoinError).isCancelled()).toBe(true);
      expect((err as JoinError).taskId).toBe(a!.id);
      expect(await set.joinNext()).toBe(50);
    });
  });

  it('joinNext is cancel-safe: a waiter aborted while joining loses no result', async () => {
    await runPaused(async () => {
      const set = new JoinSet<number>();
      sleepers(set, [100]);
      const waiter = spawn(() => set.joinNext());
      await sleep(1);
      waiter.abort();
      expect(((await caught(() => waiter)) as JoinError).isCancelled()).toBe(true);
      expect(set.size).toBe(1);
      expect(await set.joinNext()).toBe(100);
    });
  });

  it('the set can be reused after shutdown()', async () => {
    await runPaused(async () => {
      const set = new JoinSet<number>();
      sleepers(set, [100]);
      await set.shutdown();
      set.spawn(() => 7);
      expect(await set.joinNext()).toBe(7);
    });
  });

  it('tryJoinNext returns undefined while nothing is finished and a value once one is', async () => {
    await runPaused(async () => {
      const set = new JoinSet<number>();
      sleepers(set, [10, 20]);
      expect(set.tryJoinNext()).toBeUndefined();
      expect(set.size).toBe(2);
      await sleep(15);
      expect(set.tryJoinNext()).toBe(10);
      expect(set.tryJoinNext()).toBeUndefined();
      expect(set.size).toBe(1);
    });
  });

  it('tryJoinNext throws JoinError for a finished failed task', async () => {
    await runPaused(async () => {
      const set = new JoinSet<number>();
      set.spawn(() => {
        throw new Error('x');
      });
      await sleep(1);
      let err: unknown;
      try {
        set.tryJoinNext();
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(JoinError);
      expect((err as JoinError).isPanic()).toBe(true);
      expect(set.isEmpty()).toBe(true);
    });
  });

  it('joinAll returns every value in completion order and empties the set', async () => {
    await runPaused(async () => {
      const set = new JoinSet<number>();
      sleepers(set, [30, 10, 20, 5]);
      expect(await set.joinAll()).toEqual([5, 10, 20, 30]);
      expect(set.isEmpty()).toBe(true);
    });
  });

  it('joinAll on the first JoinError aborts the remaining tasks and rethrows', async () => {
    await runPaused(async () => {
      const set = new JoinSet<number>();
      const boom = new Error('boom');
      const unwound: unknown[] = [];
      let lateFinished = false;
      set.spawn(async () => {
        await sleep(5);
        return 5;
      });
      set.spawn(async () => {
        await sleep(10);
        throw boom;
      });
      set.spawn(async () => {
        try {
          await sleep(1_000);
          lateFinished = true;
          return 1_000;
        } catch (e) {
          unwound.push(e);
          throw e;
        }
      });
      const t0 = Instant.now();
      const err = await caught(() => set.joinAll());
      expect(err).toBeInstanceOf(JoinError);
      expect((err as JoinError).isPanic()).toBe(true);
      expect((err as JoinError).cause).toBe(boom);
      expect(Instant.now() - t0).toBe(10);
      await yieldNow();
      expect(unwound).toHaveLength(1);
      expect(unwound[0]).toBeInstanceOf(Cancelled);
      await sleep(2_000);
      expect(lateFinished).toBe(false);
    });
  });

  it('abortAll cancels every task: each joinNext reports a cancelled JoinError', async () => {
    await runPaused(async () => {
      const set = new JoinSet<number>();
      sleepers(set, [100, 200, 300]);
      await sleep(1);
      set.abortAll();
      let cancelled = 0;
      for (;;) {
        try {
          const v = await set.joinNext();
          if (v === undefined) break;
          throw new Error(`unexpected value ${v}`);
        } catch (e) {
          expect(e).toBeInstanceOf(JoinError);
          if ((e as JoinError).isCancelled()) cancelled++;
        }
      }
      expect(cancelled).toBe(3);
    });
  });

  it('detachAll empties the set but the tasks keep running to completion', async () => {
    await runPaused(async () => {
      const set = new JoinSet<void>();
      const done: number[] = [];
      for (const d of [10, 20])
        set.spawn(async () => {
          await sleep(d);
          done.push(d);
        });
      set.detachAll();
      expect(set.size).toBe(0);
      expect(await set.joinNext()).toBeUndefined();
      await sleep(50);
      expect(done).toEqual([10, 20]);
    });
  });

  it('shutdown() aborts every task, waits for their cleanup and leaves the set empty', async () => {
    await runPaused(async () => {
      const set = new JoinSet<number>();
      const cleaned: number[] = [];
      for (const d of [100, 200]) {
        set.spawn(async () => {
          try {
            await sleep(d);
            return d;
          } finally {
            cleaned.push(d);
          }
        });
      }
      await sleep(1);
      const t0 = Instant.now();
      await set.shutdown();
      expect(Instant.now()).toBe(t0);
      expect(cleaned.sort((a, b) => a - b)).toEqual([100, 200]);
      expect(set.size).toBe(0);
      expect(set.isEmpty()).toBe(true);
    });
  });

  it('Symbol.asyncDispose is shutdown() (await using)', async () => {
    await runPaused(async () => {
      const cleaned: string[] = [];
      let escaped: JoinSet<void>;
      {
        await using set = new JoinSet<void>();
        escaped = set;
        set.spawn(async () => {
          try {
            await sleep(1_000);
          } finally {
            cleaned.push('a');
          }
        });
        await sleep(1);
      }
      expect(cleaned).toEqual(['a']);
      expect(escaped.size).toBe(0);
    });
  });

  it('async iteration yields values in completion order until the set is empty', async () => {
    await runPaused(async () => {
      const set = new JoinSet<number>();
      sleepers(set, [3, 1, 2]);
      const seen: number[] = [];
      for await (const v of set) seen.push(v);
      expect(seen).toEqual([1, 2, 3]);
      expect(set.isEmpty()).toBe(true);
    });
  });

  it('spawnLocal adds a closure task to the set', async () => {
    await runPaused(async () => {
      const set = new JoinSet<string>();
      const h = set.spawnLocal(async () => {
        await sleep(1);
        return 'local';
      });
      expect(h).toBeInstanceOf(AbortHandle);
      expect(await set.joinNext()).toBe('local');
    });
  });

  it('spawnBlocking with a closure throws NotSendableError and adds nothing', async () => {
    await runPaused(async () => {
      const set = new JoinSet<number>();
      let err: unknown;
      try {
        set.spawnBlocking((() => 1) as never);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(NotSendableError);
      expect(set.size).toBe(0);
    });
  });

  it('a task that finishes before anyone joins it is still delivered', async () => {
    await runPaused(async () => {
      const set = new JoinSet<number>();
      set.spawn(() => 1);
      await sleep(10);
      expect(set.size).toBe(1);
      expect(await set.joinNext()).toBe(1);
    });
  });
});
