import { describe, expect, it } from 'vitest';
import {
  CancellationToken,
  Cancelled,
  Instant,
  JoinHandle,
  TaskTracker,
  currentTask,
  join,
  select,
  sleep,
  spawn,
  tryJoin,
  yieldNow,
} from '@skein/core';
import { caught, run, runPaused } from './helpers.js';

describe('join', () => {
  it('resolves with every result in argument order (not completion order), from promises and thunks', async () => {
    await runPaused(async () => {
      const t0 = Instant.now();
      const out = await join(
        async () => {
          await sleep(30);
          return 'a';
        },
        sleep(10).then(() => 2),
        async () => {
          await sleep(20);
          return true;
        },
      );
      expect(out).toEqual(['a', 2, true]);
      expect(Instant.now() - t0).toBe(30);
    });
  });

  it('passes an AbortSignal to each thunk', async () => {
    await runPaused(async () => {
      const signals: unknown[] = [];
      await join(
        async (s: AbortSignal) => {
          signals.push(s);
        },
        async (s: AbortSignal) => {
          signals.push(s);
        },
      );
      expect(signals).toHaveLength(2);
      for (const s of signals) {
        expect(s).toBeInstanceOf(AbortSignal);
        expect((s as AbortSignal).aborted).toBe(false);
      }
    });
  });

  it('runs every branch to completion, then rejects with the first error in completion order', async () => {
    await runPaused(async () => {
      const first = new Error('first');
      const second = new Error('second');
      const done: string[] = [];
      const t0 = Instant.now();
      const err = await caught(() =>
        join(
          async () => {
            await sleep(30);
            throw second;
          },
          async () => {
            await sleep(10);
            throw first;
          },
          async (s: AbortSignal) => {
            await sleep(50);
            done.push(`slow aborted=${s.aborted}`);
            return 1;
          },
        ),
      );
      expect(err).toBe(first);
      expect(done).toEqual(['slow aborted=false']);
      expect(Instant.now() - t0).toBe(50);
    });
  });

  it('with no arguments resolves with an empty array', async () => {
    await run(async () => {
      expect(await join()).toEqual([]);
    });
  });
});

describe('tryJoin', () => {
  it('resolves with all results in argument order when nothing fails', async () => {
    await runPaused(async () => {
      expect(
        await tryJoin(async () => {
          await sleep(20);
          return 1;
        }, Promise.resolve('b')),
      ).toEqual([1, 'b']);
    });
  });

  it('the first error aborts the other thunks (signal, Cancelled) and rejects with it', async () => {
    await runPaused(async () => {
      const boom = new Error('boom');
      let signal: AbortSignal | undefined;
      let inner: unknown;
      let cleaned = false;
      const t0 = Instant.now();
      const err = await caught(() =>
        tryJoin(
          async (s: AbortSignal) => {
            signal = s;
            try {
              await sleep(1_000);
            } catch (e) {
              inner = e;
              throw e;
            } finally {
              cleaned = true;
            }
          },
          async () => {
            await sleep(10);
            throw boom;
          },
        ),
      );
      expect(err).toBe(boom);
      expect(Instant.now() - t0).toBe(10);
      expect(signal!.aborted).toBe(true);
      await yieldNow();
      expect(inner).toBeInstanceOf(Cancelled);
      expect(cleaned).toBe(true);
    });
  });

  it('cancelling siblings does not cancel the enclosing task', async () => {
    await runPaused(async () => {
      const h = spawn(async () => {
        await caught(() =>
          tryJoin(
            () => sleep(100),
            async () => {
              throw new Error('x');
            },
          ),
        );
        await sleep(5);
        return currentTask()!.signal.aborted;
      });
      expect(await h).toBe(false);
    });
  });
});

describe('select', () => {
  it('the first branch to settle wins with { key, value }; losers are aborted with Cancelled', async () => {
    await runPaused(async () => {
      let loserSignal: AbortSignal | undefined;
      let winnerSignal: AbortSignal | undefined;
      let loserErr: unknown;
      const t0 = Instant.now();
      const res = await select({
        slow: async (s) => {
          loserSignal = s;
          try {
            await sleep(100);
            return 'slow';
          } catch (e) {
            loserErr = e;
            throw e;
          }
        },
        fast: async (s) => {
          winnerSignal = s;
          await sleep(10);
          return 'fast';
        },
      });
      expect(res).toEqual({ key: 'fast', value: 'fast' });
      expect(Instant.now() - t0).toBe(10);
      expect(loserSignal!.aborted).toBe(true);
      expect(winnerSignal!.aborted).toBe(false);
      await yieldNow();
      expect(loserErr).toBeInstanceOf(Cancelled);
    });
  });

  it('a rejection settles first too: select rejects with it and aborts the others', async () => {
    await runPaused(async () => {
      const boom = new Error('boom');
      let other: AbortSignal | undefined;
      const err = await caught(() =>
        select({
          bad: async () => {
            await sleep(5);
            throw boom;
          },
          good: async (s) => {
            other = s;
            await sleep(50);
            return 1;
          },
        }),
      );
      expect(err).toBe(boom);
      expect(other!.aborted).toBe(true);
    });
  });

  it('biased: when several branches are ready, the first declared wins every time', async () => {
    await run(async () => {
      for (let i = 0; i < 20; i++) {
        const r = await select({ a: async () => 'A', b: async () => 'B', c: async () => 'C' }, { biased: true });
        expect(r).toEqual({ key: 'a', value: 'A' });
      }
    });
  });

  it('unbiased: the start is random, so every ready branch wins sometimes', async () => {
    await run(async () => {
      const wins = new Set<string>();
      for (let i = 0; i < 100 && wins.size < 3; i++) {
        const r = await select({ a: async () => 'A', b: async () => 'B', c: async () => 'C' });
        wins.add(r.key);
      }
      expect([...wins].sort()).toEqual(['a', 'b', 'c']);
    });
  });

  it('branches run inside the enclosing task (currentTask is that task)', async () => {
    await run(async () => {
      const h = spawn(async () => {
        const r = await select({
          a: async () => {
            await sleep(1);
            return currentTask()?.id;
          },
        });
        return r.value;
      });
      expect(await h).toBe(h.id);
    });
  });

  it('losing does not cancel the enclosing task', async () => {
    await runPaused(async () => {
      const h = spawn(async () => {
        await select({ x: () => sleep(100), y: () => sleep(1) });
        await sleep(5);
        return currentTask()!.signal.aborted;
      });
      expect(await h).toBe(false);
    });
  });
});

describe('CancellationToken', () => {
  it('cancel() flips isCancelled(), aborts signal and resolves cancelled()', async () => {
    await runPaused(async () => {
      const token = new CancellationToken();
      expect(token.isCancelled()).toBe(false);
      expect(token.signal).toBeInstanceOf(AbortSignal);
      expect(token.signal.aborted).toBe(false);
      let resolved = false;
      const waiting = token.cancelled().then(() => {
        resolved = true;
      });
      await sleep(10);
      expect(resolved).toBe(false);
      token.cancel();
      expect(token.isCancelled()).toBe(true);
      expect(token.signal.aborted).toBe(true);
      await waiting;
      expect(resolved).toBe(true);
      // already cancelled: resolves again, and cancel() is idempotent
      token.cancel();
      await token.cancelled();
    });
  });

  it('a child is cancelled with its parent, not the other way round', async () => {
    await run(async () => {
      const parent = new CancellationToken();
      const a = parent.child();
      const b = parent.child();
      const grand = a.child();
      expect(a).toBeInstanceOf(CancellationToken);
      b.cancel();
      expect(b.isCancelled()).toBe(true);
      expect(parent.isCancelled()).toBe(false);
      expect(a.isCancelled()).toBe(false);
      parent.cancel();
      expect(a.isCancelled()).toBe(true);
      expect(grand.isCancelled()).toBe(true);
      expect(grand.signal.aborted).toBe(true);
      await grand.cancelled();
      // a child of a cancelled token starts cancelled
      expect(parent.child().isCancelled()).toBe(true);
    });
  });

  it('wakes a task waiting on cancelled() when cancelled from another task', async () => {
    await runPaused(async () => {
      const token = new CancellationToken();
      const waiter = spawn(async () => {
        await token.cancelled();
        return Instant.now();
      });
      const t0 = Instant.now();
      spawn(async () => {
        await sleep(25);
        token.cancel();
      });
      expect(await waiter).toBe(t0 + 25);
    });
  });

  it('runUntilCancelled(promise) returns the value when it finishes first', async () => {
    await runPaused(async () => {
      const token = new CancellationToken();
      expect(await token.runUntilCancelled(sleep(5).then(() => 'v'))).toBe('v');
    });
  });

  it('runUntilCancelled(thunk) returns undefined when cancelled first and cancels the thunk', async () => {
    await runPaused(async () => {
      const token = new CancellationToken();
      let inner: unknown;
      let signal: AbortSignal | undefined;
      spawn(async () => {
        await sleep(10);
        token.cancel();
      });
      const t0 = Instant.now();
      const r = await token.runUntilCancelled(async (s?: AbortSignal) => {
        signal = s;
        try {
          await sleep(1_000);
          return 'late';
        } catch (e) {
          inner = e;
          throw e;
        }
      });
      expect(r).toBeUndefined();
      expect(Instant.now() - t0).toBe(10);
      await yieldNow();
      expect(inner).toBeInstanceOf(Cancelled);
      if (signal !== undefined) expect(signal.aborted).toBe(true);
    });
  });

  it('runUntilCancelled on an already cancelled token resolves undefined without running long', async () => {
    await runPaused(async () => {
      const token = new CancellationToken();
      token.cancel();
      const t0 = Instant.now();
      expect(await token.runUntilCancelled(() => sleep(500).then(() => 1))).toBeUndefined();
      expect(Instant.now()).toBe(t0);
    });
  });

  it('runUntilCancelled rethrows an error from the future', async () => {
    await runPaused(async () => {
      const token = new CancellationToken();
      const boom = new Error('boom');
      expect(
        await caught(() =>
          token.runUntilCancelled(async () => {
            throw boom;
          }),
        ),
      ).toBe(boom);
    });
  });
});

describe('TaskTracker', () => {
  it('spawn returns a JoinHandle; size counts live tasks; wait() resolves once closed and empty', async () => {
    await runPaused(async () => {
      const tracker = new TaskTracker();
      const t0 = Instant.now();
      const h = tracker.spawn(async () => {
        await sleep(20);
        return 'a';
      });
      tracker.spawn(async () => {
        await sleep(40);
      });
      expect(h).toBeInstanceOf(JoinHandle);
      expect(tracker.size).toBe(2);
      expect(tracker.isClosed()).toBe(false);
      tracker.close();
      expect(tracker.isClosed()).toBe(true);
      await tracker.wait();
      expect(Instant.now() - t0).toBe(40);
      expect(tracker.size).toBe(0);
      expect(await h).toBe('a');
    });
  });

  it('wait() stays pending while the tracker is open, even with no tasks', async () => {
    await runPaused(async () => {
      const tracker = new TaskTracker();
      tracker.spawn(async () => {
        await sleep(5);
      });
      let waited = false;
      const w = tracker.wait().then(() => {
        waited = true;
      });
      await sleep(50);
      expect(tracker.size).toBe(0);
      expect(waited).toBe(false);
      tracker.close();
      await w;
      expect(waited).toBe(true);
    });
  });

  it('a closed, empty tracker resolves wait() at once', async () => {
    await runPaused(async () => {
      const tracker = new TaskTracker();
      tracker.close();
      const t0 = Instant.now();
      await tracker.wait();
      expect(Instant.now()).toBe(t0);
    });
  });

  it('close() does not prevent spawning; wait() covers tasks spawned after close (Tokio)', async () => {
    await runPaused(async () => {
      const tracker = new TaskTracker();
      tracker.close();
      const t0 = Instant.now();
      tracker.spawn(async () => {
        await sleep(30);
      });
      expect(tracker.size).toBe(1);
      await tracker.wait();
      expect(Instant.now() - t0).toBe(30);
    });
  });

  it('a failed or aborted tracked task still counts as done', async () => {
    await runPaused(async () => {
      const tracker = new TaskTracker();
      const bad = tracker.spawn(async () => {
        await sleep(5);
        throw new Error('x');
      });
      const slow = tracker.spawn(async () => {
        await sleep(1_000);
      });
      tracker.close();
      slow.abort();
      const t0 = Instant.now();
      await tracker.wait();
      expect(Instant.now() - t0).toBe(5);
      expect(tracker.size).toBe(0);
      await caught(() => bad);
    });
  });
});
