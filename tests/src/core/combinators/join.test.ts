/**
 * join / tryJoin: join runs every branch to completion and then rejects with the first
 * error; tryJoin's first error cancels the other thunks (signal aborts, runtime awaits reject
 * with Cancelled) and rejects at once. Paused clock: completion order comes from sleeps.
 */
import { describe, it, expect, beforeEach, afterEach } from 'vitest';
import { Runtime, join, tryJoin, sleep, spawn, Instant, yieldNow, Cancelled, type JoinError } from '@skein/core';

let rt: Runtime;
beforeEach(async () => {
  rt = await Runtime.builder().startPaused(true).build();
});
afterEach(async () => {
  await rt.shutdown();
});

describe('join', () => {
  it('resolves with every value in argument order, from promises and thunks', async () => {
    await rt.blockOn(async () => {
      const t0 = Instant.now();
      const r = await join(
        async () => {
          await sleep(30);
          return 'slow';
        },
        sleep(10).then(() => 1),
        () => 'sync',
        Promise.resolve(true),
      );
      expect(r).toEqual(['slow', 1, 'sync', true]);
      expect(Instant.now()).toBe(t0 + 30); // concurrent, not sequential
      expect(await join()).toEqual([]);
    });
  });

  it('thunks receive an AbortSignal as their first argument', async () => {
    await rt.blockOn(async () => {
      const signals: unknown[] = [];
      await join(
        (s) => {
          signals.push(s);
          return 1;
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
      expect(signals[0]).not.toBe(signals[1]);
    });
  });

  it('every branch runs to completion, then it rejects with the first error', async () => {
    await rt.blockOn(async () => {
      const t0 = Instant.now();
      const first = new Error('first');
      const finished: string[] = [];
      let aborted = false;
      const e = await join(
        async () => {
          await sleep(20);
          throw new Error('second');
        },
        async () => {
          await sleep(10);
          throw first;
        },
        async (s: AbortSignal) => {
          await sleep(50);
          aborted = s.aborted;
          finished.push('slow');
          return 1;
        },
      ).then(
        () => null,
        (x: unknown) => x,
      );
      expect(e).toBe(first);
      expect(finished).toEqual(['slow']);
      expect(aborted).toBe(false); // an error does not cancel the others in join
      expect(Instant.now()).toBe(t0 + 50); // it waited for the slow branch
    });
  });

  it('a synchronous throw in a thunk is a rejection, not a throw from join()', async () => {
    await rt.blockOn(async () => {
      const boom = new Error('sync');
      const p = join(
        () => {
          throw boom;
        },
        async () => {
          await sleep(1);
          return 2;
        },
      );
      expect(p).toBeInstanceOf(Promise);
      await expect(p).rejects.toBe(boom);
    });
  });

  it('a non-promise, non-function branch is a coded TypeError', async () => {
    await rt.blockOn(async () => {
      let err: unknown;
      try {
        await join(42 as never);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(TypeError);
      expect((err as { code?: string }).code).toBe('ERR_INVALID_ARG_TYPE');
    });
  });
});

describe('tryJoin', () => {
  it('resolves with every value when nothing fails', async () => {
    await rt.blockOn(async () => {
      expect(
        await tryJoin(
          async () => {
            await sleep(5);
            return 'a';
          },
          sleep(1).then(() => 'b'),
          () => 'c',
        ),
      ).toEqual(['a', 'b', 'c']);
      expect(await tryJoin()).toEqual([]);
    });
  });

  it('the first error aborts the other thunks and rejects at once', async () => {
    await rt.blockOn(async () => {
      const t0 = Instant.now();
      const boom = new Error('boom');
      const signals: AbortSignal[] = [];
      const inner: unknown[] = [];
      const cleaned: number[] = [];
      let ranPast = false;
      const slow = (i: number) => async (s: AbortSignal) => {
        signals.push(s);
        try {
          await sleep(1000);
          ranPast = true;
        } catch (e) {
          inner.push(e);
          throw e;
        } finally {
          cleaned.push(i);
        }
      };
      const e = await tryJoin(
        slow(0),
        async () => {
          await sleep(10);
          throw boom;
        },
        slow(1),
      ).then(
        () => null,
        (x: unknown) => x,
      );
      expect(e).toBe(boom);
      expect(Instant.now()).toBe(t0 + 10); // did not wait for the slow branches
      expect(signals.map((s) => s.aborted)).toEqual([true, true]);
      await yieldNow();
      expect(inner).toHaveLength(2);
      for (const x of inner) expect(x).toBeInstanceOf(Cancelled);
      expect(cleaned.sort()).toEqual([0, 1]);
      expect(ranPast).toBe(false);
    });
  });

  it("a cancelled branch's later runtime awaits reject with Cancelled too", async () => {
    await rt.blockOn(async () => {
      const outcomes: string[] = [];
      const done = spawn(() => 0);
      await done;
      await tryJoin(
        async () => {
          await sleep(1);
          throw new Error('x');
        },
        async () => {
          try {
            await sleep(100);
          } catch {
            outcomes.push('sleep');
          }
          try {
            await sleep(1);
            outcomes.push('sleep resolved');
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
      ).catch(() => undefined);
      await sleep(5);
      expect(outcomes).toEqual(['sleep', 'sleep2', 'join']);
    });
  });

  it('cancelling a branch does not cancel the surrounding task or tasks it spawned', async () => {
    await rt.blockOn(async () => {
      const spawned = spawn(async () => {
        await sleep(50);
        return 'spawned';
      });
      await tryJoin(
        async () => {
          await sleep(1);
          throw new Error('x');
        },
        async () => {
          await spawned;
        },
      ).catch(() => undefined);
      expect(spawned.isFinished()).toBe(false);
      expect(await spawned).toBe('spawned');
      await sleep(1); // the surrounding task is not cancelled
    });
  });

  it('plain promise branches are not cancelled, only no longer waited for', async () => {
    await rt.blockOn(async () => {
      let finished = false;
      const p = sleep(20).then(() => {
        finished = true;
      });
      await expect(
        tryJoin(p, async () => {
          await sleep(1);
          throw new Error('x');
        }),
      ).rejects.toThrow('x');
      await sleep(30);
      expect(finished).toBe(true);
    });
  });

  it('a task aborted while in tryJoin cancels every branch', async () => {
    await rt.blockOn(async () => {
      const inner: unknown[] = [];
      const h = spawn(() =>
        tryJoin(
          async () => {
            try {
              await sleep(100);
            } catch (e) {
              inner.push(e);
              throw e;
            }
          },
          async () => {
            try {
              await sleep(200);
            } catch (e) {
              inner.push(e);
              throw e;
            }
          },
        ),
      );
      await yieldNow();
      h.abort();
      const e = await h.then(
        () => null,
        (x: unknown) => x,
      );
      expect((e as JoinError).isCancelled()).toBe(true);
      await yieldNow();
      expect(inner).toHaveLength(2);
      for (const x of inner) expect(x).toBeInstanceOf(Cancelled);
    });
  });
});

/** A foreign promise and the function that resolves it: branches parked on it settle in one wave. */
function gate(): [Promise<void>, () => void] {
  let open!: () => void;
  const p = new Promise<void>((r) => {
    open = r;
  });
  return [p, open];
}

describe("join / tryJoin polling (Tokio's rotation, and biased)", () => {
  const eA = new Error('a');
  const eB = new Error('b');
  const eC = new Error('c');

  it("branches failing in the same wake: the poll after the first starts at branch 1, so b's error wins", async () => {
    await rt.blockOn(async () => {
      for (const combinator of [join, tryJoin]) {
        const [p, open] = gate();
        const r = combinator(
          async () => {
            await p;
            throw eA;
          },
          async () => {
            await p;
            throw eB;
          },
        );
        open();
        await expect(r).rejects.toBe(eB);
      }
    });
  });

  it('biased: branches failing in the same wake are observed in declaration order', async () => {
    await rt.blockOn(async () => {
      for (const combinator of [join.biased, tryJoin.biased]) {
        const [p, open] = gate();
        const r = combinator(
          async () => {
            await p;
            throw eA;
          },
          async () => {
            await p;
            throw eB;
          },
        );
        open();
        await expect(r).rejects.toBe(eA);
      }
    });
  });

  it('the first observed branch rotates by one on every poll', async () => {
    await rt.blockOn(async () => {
      for (const [combinator, expected] of [
        [tryJoin, eC],
        [tryJoin.biased, eB],
        [join, eC],
        [join.biased, eB],
      ] as const) {
        const [p1, open1] = gate();
        const [p2, open2] = gate();
        const r = combinator(
          async () => {
            await p1;
            return 'a';
          },
          async () => {
            await p2;
            throw eB;
          },
          async () => {
            await p2;
            throw eC;
          },
        );
        open1(); // poll 1 (from branch 1) observes a
        await yieldNow();
        open2(); // poll 2 starts at branch 2: c before b
        await expect(r).rejects.toBe(expected);
      }
    });
  });

  it('resolves with the values in argument order whatever the observation order', async () => {
    await rt.blockOn(async () => {
      const [p, open] = gate();
      const r = join(
        async () => {
          await p;
          return 1;
        },
        async () => {
          await p;
          return 2;
        },
        () => 3,
        Promise.resolve(4),
      );
      open();
      expect(await r).toEqual([1, 2, 3, 4]);
      expect(
        await tryJoin.biased(
          () => 1,
          async () => 2,
        ),
      ).toEqual([1, 2]);
    });
  });

  it('tryJoin: a thunk throwing synchronously fails the first poll; the thunks after it never start, those before are cancelled', async () => {
    await rt.blockOn(async () => {
      const started: string[] = [];
      let firstSignal: AbortSignal | undefined;
      const r = tryJoin(
        async (s: AbortSignal) => {
          firstSignal = s;
          started.push('a');
          await sleep(10);
        },
        () => {
          started.push('b');
          throw eB;
        },
        () => {
          started.push('c');
          return 3;
        },
      );
      await expect(r).rejects.toBe(eB);
      expect(started).toEqual(['a', 'b']);
      expect(firstSignal!.aborted).toBe(true);
    });
  });

  it('join: a thunk throwing synchronously does not stop the others; it is the first error', async () => {
    await rt.blockOn(async () => {
      const started: string[] = [];
      const r = join(
        () => {
          started.push('a');
          throw eA;
        },
        async () => {
          started.push('b');
          await sleep(10);
          throw eB;
        },
      );
      await expect(r).rejects.toBe(eA);
      expect(started).toEqual(['a', 'b']);
    });
  });
});
