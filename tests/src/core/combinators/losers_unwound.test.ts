/**
 * Tokio drops the losing futures of `select!`, `try_join!`, `timeout` and
 * `run_until_cancelled` before they return, so whatever a loser held (a guard, a permit) is
 * free when the caller continues. skein settles these combinators once the losers that were
 * parked on runtime awaits have run their `finally` blocks; a loser stuck on a foreign
 * promise doesn't hold them up.
 */
import { describe, it, expect, beforeEach, afterEach } from 'vitest';
import { CancellationToken, Elapsed, Mutex, Runtime, Semaphore, select, sleep, timeout, tryJoin } from '@skein/core';

let rt: Runtime;
beforeEach(async () => {
  rt = await Runtime.builder().startPaused(true).build();
});
afterEach(async () => {
  await rt.shutdown();
});

/** A branch that takes the lock, then parks on a long sleep while holding it. */
function holder(m: Mutex<number>, log: string[]): () => Promise<string> {
  return async () => {
    using g = await m.lock();
    g.value++;
    try {
      await sleep(60_000);
    } finally {
      log.push('loser finally');
    }
    return 'never';
  };
}

describe('losers have unwound when a combinator settles', () => {
  it("select: the loser's guard is released and its finally ran before select returns", async () => {
    await rt.blockOn(async () => {
      const m = new Mutex(0);
      const log: string[] = [];
      const r = await select(
        {
          holder: holder(m, log),
          winner: async () => {
            await sleep(10);
            return 'won';
          },
        },
        { biased: true },
      );
      log.push('after select');
      expect(r).toEqual({ key: 'winner', value: 'won' });
      expect(log).toEqual(['loser finally', 'after select']);
      const g = m.tryLock();
      expect(g.value).toBe(1);
      g.release();
    });
  });

  it('select: a winning rejection is rethrown after the losers unwound', async () => {
    await rt.blockOn(async () => {
      const sem = new Semaphore(1);
      const log: string[] = [];
      const boom = new Error('boom');
      try {
        await select(
          {
            holder: async () => {
              using _p = await sem.acquire();
              try {
                await sleep(60_000);
              } finally {
                log.push('loser finally');
              }
            },
            failer: async () => {
              await sleep(5);
              throw boom;
            },
          },
          { biased: true },
        );
      } catch (err) {
        log.push(err === boom ? 'caught boom' : 'caught other');
      }
      expect(log).toEqual(['loser finally', 'caught boom']);
      expect(sem.availablePermits()).toBe(1);
    });
  });

  it('tryJoin: the first error rejects once the others have released what they held', async () => {
    await rt.blockOn(async () => {
      const m = new Mutex(0);
      const log: string[] = [];
      const boom = new Error('boom');
      try {
        await tryJoin(holder(m, log), async () => {
          await sleep(5);
          throw boom;
        });
      } catch (err) {
        log.push(err === boom ? 'caught boom' : 'caught other');
      }
      expect(log).toEqual(['loser finally', 'caught boom']);
      m.tryLock().release();
    });
  });

  it('timeout: Elapsed comes after the timed-out thunk has unwound', async () => {
    await rt.blockOn(async () => {
      const m = new Mutex(0);
      const log: string[] = [];
      try {
        await timeout(20, holder(m, log));
      } catch (err) {
        log.push(err instanceof Elapsed ? 'caught Elapsed' : 'caught other');
      }
      expect(log).toEqual(['loser finally', 'caught Elapsed']);
      m.tryLock().release();
    });
  });

  it('runUntilCancelled: undefined comes after the thunk has unwound', async () => {
    await rt.blockOn(async () => {
      const m = new Mutex(0);
      const log: string[] = [];
      const token = new CancellationToken();
      const run = token.runUntilCancelled(holder(m, log));
      await sleep(5);
      token.cancel();
      log.push(`resolved ${String(await run)}`);
      expect(log).toEqual(['loser finally', 'resolved undefined']);
      m.tryLock().release();
    });
  });

  it('a loser stuck on a foreign promise does not hold select up', async () => {
    await rt.blockOn(async () => {
      const log: string[] = [];
      const never = new Promise<void>(() => {});
      const r = await select({
        stuck: async () => {
          try {
            await never;
          } finally {
            log.push('stuck finally');
          }
        },
        parkedThenStuck: async () => {
          try {
            await sleep(60_000);
          } finally {
            await never;
            log.push('unreachable');
          }
        },
        winner: async () => {
          await sleep(10);
          return 1;
        },
      });
      expect(r).toEqual({ key: 'winner', value: 1 });
      expect(log).toEqual([]);
    });
  });
});
