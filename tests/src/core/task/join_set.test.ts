/**
 * JoinSet: completion order, errors, the try/all/abort/detach/shutdown variants, iteration
 * and disposal. Uses the paused clock so completion order is set by sleep lengths alone.
 */
import { describe, it, expect, afterEach, beforeEach } from 'vitest';
import { Runtime, JoinSet, JoinError, AbortHandle, Cancelled, sleep, yieldNow, currentTask } from '@skein/core';
import { add, slowDouble } from '../runtime/fixtures/tasks.js';

const errorOf = (p: PromiseLike<unknown>): Promise<unknown> =>
  Promise.resolve(p).then(
    () => null,
    (e: unknown) => e,
  );

let rt: Runtime;
beforeEach(async () => {
  rt = await Runtime.builder().startPaused(true).logger('silent').build();
});
afterEach(async () => {
  await rt.shutdown();
});

describe('JoinSet', () => {
  it('spawn returns AbortHandles; size and isEmpty track the set', async () => {
    await rt.blockOn(async () => {
      const set = new JoinSet<number>();
      expect(set.size).toBe(0);
      expect(set.isEmpty()).toBe(true);
      const a = set.spawn(() => 1);
      const b = set.spawn(add, 1, 2);
      const c = set.spawnLocal(async () => {
        await sleep(1);
        return 3;
      });
      set.spawn(slowDouble, 5, 2);
      expect(a).toBeInstanceOf(AbortHandle);
      expect(new Set([a.id, b.id, c.id]).size).toBe(3);
      expect(set.size).toBe(4);
      expect(set.isEmpty()).toBe(false);
      await sleep(5);
      expect(set.size).toBe(4); // finished but not joined: still in the set
      const all = await set.joinAll();
      expect(all.sort((x, y) => x - y)).toEqual([1, 3, 3, 10]);
      expect(set.size).toBe(0);
      expect(set.isEmpty()).toBe(true);
    });
  });

  it('joinNext yields values in completion order, then undefined when empty', async () => {
    await rt.blockOn(async () => {
      const set = new JoinSet<string>();
      set.spawn(async () => {
        await sleep(30);
        return 'c';
      });
      set.spawn(async () => {
        await sleep(10);
        return 'a';
      });
      set.spawn(async () => {
        await sleep(20);
        return 'b';
      });
      expect(await set.joinNext()).toBe('a');
      expect(await set.joinNext()).toBe('b');
      expect(await set.joinNext()).toBe('c');
      expect(await set.joinNext()).toBeUndefined();
      expect(await set.joinNext()).toBeUndefined();
    });
  });

  it('joinNext on an empty set resolves undefined at once', async () => {
    await rt.blockOn(async () => {
      expect(await new JoinSet<number>().joinNext()).toBeUndefined();
    });
  });

  it('joinNext throws JoinError for a failed task and for an aborted task, which leave the set', async () => {
    await rt.blockOn(async () => {
      const set = new JoinSet<number>();
      const boom = new Error('boom');
      set.spawn(async () => {
        await sleep(1);
        throw boom;
      });
      const e1 = (await errorOf(set.joinNext())) as JoinError;
      expect(e1).toBeInstanceOf(JoinError);
      expect(e1.isPanic()).toBe(true);
      expect(e1.cause).toBe(boom);
      expect(set.size).toBe(0);
      const ah = set.spawn(async () => {
        await sleep(1000);
        return 1;
      });
      await yieldNow();
      ah.abort();
      const e2 = (await errorOf(set.joinNext())) as JoinError;
      expect(e2.isCancelled()).toBe(true);
      expect(e2.taskId).toBe(ah.id);
      expect(set.isEmpty()).toBe(true);
    });
  });

  it('tryJoinNext returns a finished value without waiting, else undefined', async () => {
    await rt.blockOn(async () => {
      const set = new JoinSet<number>();
      expect(set.tryJoinNext()).toBeUndefined();
      set.spawn(async () => {
        await sleep(10);
        return 1;
      });
      set.spawn(async () => {
        await sleep(20);
        throw new Error('x');
      });
      expect(set.tryJoinNext()).toBeUndefined();
      // Not sleep(10): the tasks haven't started, so a root sleep with the same deadline
      // would be registered (and woken) before theirs.
      await sleep(11);
      expect(set.tryJoinNext()).toBe(1);
      expect(set.tryJoinNext()).toBeUndefined();
      expect(set.size).toBe(1);
      await sleep(10);
      expect(() => set.tryJoinNext()).toThrow(JoinError);
      expect(set.size).toBe(0);
    });
  });

  it('joinAll returns values in completion order', async () => {
    await rt.blockOn(async () => {
      const set = new JoinSet<number>();
      for (const d of [50, 10, 40, 20, 30])
        set.spawn(async () => {
          await sleep(d);
          return d;
        });
      expect(await set.joinAll()).toEqual([10, 20, 30, 40, 50]);
    });
  });

  it('joinAll aborts the remaining tasks on the first error and rethrows it', async () => {
    await rt.blockOn(async () => {
      const set = new JoinSet<number>();
      const cleaned: number[] = [];
      let cancelledAwait = 0;
      const boom = new Error('first');
      for (const d of [100, 200]) {
        set.spawn(async () => {
          try {
            await sleep(d);
          } catch (e) {
            if (e instanceof Cancelled) cancelledAwait++;
            throw e;
          } finally {
            cleaned.push(d);
          }
          return d;
        });
      }
      set.spawn(async () => {
        await sleep(5);
        return 5;
      });
      set.spawn(async () => {
        await sleep(10);
        throw boom;
      });
      set.spawn(async () => {
        await sleep(20);
        throw new Error('second');
      });
      const e = (await errorOf(set.joinAll())) as JoinError;
      expect(e).toBeInstanceOf(JoinError);
      expect(e.isPanic()).toBe(true);
      expect(e.cause).toBe(boom);
      // Like Tokio's consumed set: nothing is left to join.
      expect(set.size).toBe(0);
      expect(await set.joinNext()).toBeUndefined();
      await yieldNow();
      expect(cleaned.sort()).toEqual([100, 200]);
      expect(cancelledAwait).toBe(2);
    });
  });

  it('abortAll cancels every task; they are joined as cancelled JoinErrors', async () => {
    await rt.blockOn(async () => {
      const set = new JoinSet<number>();
      const signals: AbortSignal[] = [];
      for (let i = 0; i < 3; i++)
        set.spawn(async () => {
          signals.push(currentTask()!.signal);
          await sleep(1000);
          return i;
        });
      await yieldNow();
      set.abortAll();
      expect(signals.every((s) => s.aborted)).toBe(true);
      expect(set.size).toBe(3);
      for (let i = 0; i < 3; i++) {
        const e = (await errorOf(set.joinNext())) as JoinError;
        expect(e.isCancelled()).toBe(true);
      }
      expect(await set.joinNext()).toBeUndefined();
    });
  });

  it('detachAll forgets the tasks without aborting them', async () => {
    await rt.blockOn(async () => {
      const set = new JoinSet<number>();
      let finished = 0;
      set.spawn(async () => {
        await sleep(10);
        finished++;
        return 1;
      });
      set.spawn(async () => {
        await sleep(10);
        finished++;
        return 2;
      });
      set.detachAll();
      expect(set.size).toBe(0);
      expect(await set.joinNext()).toBeUndefined();
      await sleep(20);
      expect(finished).toBe(2);
      expect(set.tryJoinNext()).toBeUndefined();
    });
  });

  it('shutdown aborts every task and waits until all are joined', async () => {
    await rt.blockOn(async () => {
      const set = new JoinSet<number>();
      const cleaned: number[] = [];
      for (let i = 0; i < 3; i++)
        set.spawn(async () => {
          try {
            await sleep(1000);
          } finally {
            cleaned.push(i);
          }
          return i;
        });
      await yieldNow();
      await set.shutdown();
      expect(set.isEmpty()).toBe(true);
      await yieldNow();
      expect(cleaned.sort()).toEqual([0, 1, 2]);
    });
  });

  it('async iteration yields values in completion order and ends when empty', async () => {
    await rt.blockOn(async () => {
      const set = new JoinSet<string>();
      set.spawn(async () => {
        await sleep(3);
        return 'c';
      });
      set.spawn(async () => {
        await sleep(1);
        return 'a';
      });
      set.spawn(async () => {
        await sleep(2);
        return 'b';
      });
      const out: string[] = [];
      for await (const v of set) out.push(v);
      expect(out).toEqual(['a', 'b', 'c']);
    });
  });

  it('async iteration throws the JoinError of a failed task', async () => {
    await rt.blockOn(async () => {
      const set = new JoinSet<number>();
      set.spawn(async () => {
        await sleep(1);
        return 1;
      });
      set.spawn(async () => {
        await sleep(2);
        throw new Error('iter');
      });
      const out: number[] = [];
      const e = await (async () => {
        for await (const v of set) out.push(v);
      })().then(
        () => null,
        (x: unknown) => x,
      );
      expect(out).toEqual([1]);
      expect((e as JoinError).isPanic()).toBe(true);
    });
  });

  it('Symbol.asyncDispose shuts the set down', async () => {
    await rt.blockOn(async () => {
      let cleaned = 0;
      let handle: AbortHandle | undefined;
      {
        await using set = new JoinSet<number>();
        handle = set.spawn(async () => {
          try {
            await sleep(1000);
          } finally {
            cleaned++;
          }
          return 1;
        });
        await yieldNow();
      }
      expect(handle.isFinished()).toBe(true);
      await yieldNow();
      expect(cleaned).toBe(1);
    });
  });

  it('a panicking task in a set is reported by the set, not logged as unawaited', async () => {
    const lines: string[] = [];
    const { default: pino } = await import('pino');
    const rt2 = await Runtime.builder()
      .logger(
        pino(
          { level: 'debug' },
          {
            write: (l: string) => {
              lines.push(l);
            },
          },
        ),
      )
      .build();
    await rt2.blockOn(async () => {
      const set = new JoinSet<number>();
      set.spawn(() => {
        throw new Error('in set');
      });
      await new Promise((r) => setTimeout(r, 5));
      await errorOf(set.joinNext());
    });
    expect(lines.filter((l) => /never awaited/.test(l))).toEqual([]);
    await rt2.shutdown();
  });

  it('a cancelled joinNext consumes nothing: the value goes to the next joinNext', async () => {
    await rt.blockOn(async () => {
      const set = new JoinSet<string>();
      set.spawn(async () => {
        await sleep(10);
        return 'kept';
      });
      const waiter = new JoinSet<unknown>();
      const ah = waiter.spawn(async () => await set.joinNext());
      await yieldNow();
      ah.abort();
      await sleep(20);
      expect(await set.joinNext()).toBe('kept');
    });
  });
});
