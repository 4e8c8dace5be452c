import { describe, expect, it } from 'vitest';
import {
  Cancelled,
  Elapsed,
  Instant,
  Interval,
  type JoinError,
  NoRuntimeError,
  SkeinError,
  currentTask,
  interval,
  select,
  sleep,
  sleepUntil,
  spawn,
  time,
  timeout,
  timeoutAt,
  yieldNow,
} from '@skein/core';
import { caught, realDelay, run, runPaused } from './helpers.js';

function codeOf(e: unknown): unknown {
  return (e as { code?: unknown }).code;
}

describe('exports', () => {
  it('time is an object with pause, resume and advance', () => {
    expect(typeof time).toBe('object');
    expect(typeof time.pause).toBe('function');
    expect(typeof time.resume).toBe('function');
    expect(typeof time.advance).toBe('function');
  });
});

describe('Instant', () => {
  it('now() is a number that never goes backwards', async () => {
    await run(async () => {
      const a = Instant.now();
      await realDelay(5);
      const b = Instant.now();
      expect(typeof a).toBe('number');
      expect(b).toBeGreaterThanOrEqual(a);
    });
  });

  it('time.advance(ms) moves Instant by exactly ms', async () => {
    await runPaused(async () => {
      const t0 = Instant.now();
      await time.advance(250);
      expect(Instant.now() - t0).toBe(250);
      await time.advance(1);
      expect(Instant.now() - t0).toBe(251);
    });
  });
});

describe('sleep', () => {
  it('resolves on exactly advance(d), not one ms earlier and with no +1 rounding', async () => {
    await run(async () => {
      time.pause();
      let woke = false;
      const h = spawn(async () => {
        await sleep(100);
        woke = true;
      });
      await yieldNow();
      await time.advance(99);
      expect(woke).toBe(false);
      await time.advance(1);
      expect(woke).toBe(true);
      await h;
    });
  });

  it('with the paused clock, an idle runtime auto-advances to the next timer exactly', async () => {
    await runPaused(async () => {
      const t0 = Instant.now();
      await sleep(100);
      expect(Instant.now() - t0).toBe(100);
      await sleep(0);
      expect(Instant.now() - t0).toBe(100);
    });
  });

  it('concurrent sleeps wake in deadline order at their own instants', async () => {
    await runPaused(async () => {
      const t0 = Instant.now();
      const log: Array<[number, number]> = [];
      const hs = [50, 10, 30].map((d) =>
        spawn(async () => {
          await sleep(d);
          log.push([d, Instant.now() - t0]);
        }),
      );
      for (const h of hs) await h;
      expect(log).toEqual([
        [10, 10],
        [30, 30],
        [50, 50],
      ]);
    });
  });

  it('has millisecond resolution: a fractional duration rounds up, never ends early', async () => {
    await runPaused(async () => {
      const t0 = Instant.now();
      await sleep(1.5);
      expect(Instant.now() - t0).toBe(2);
      await sleep(0.2);
      expect(Instant.now() - t0).toBe(3);
    });
  });

  it('works in real time too (lower bound only)', async () => {
    await run(async () => {
      const t0 = Instant.now();
      await sleep(15);
      expect(Instant.now() - t0).toBeGreaterThanOrEqual(15);
    });
  });

  it('is cancellable: aborting the task rejects the sleep with Cancelled', async () => {
    await runPaused(async () => {
      let inner: unknown;
      const h = spawn(async () => {
        try {
          await sleep(10_000);
        } catch (e) {
          inner = e;
        }
      });
      await sleep(1);
      h.abort();
      await caught(() => h);
      await yieldNow();
      expect(inner).toBeInstanceOf(Cancelled);
    });
  });

  it('rejects invalid durations with coded RangeError / TypeError', async () => {
    await run(async () => {
      const neg = await caught(() => sleep(-1));
      expect(neg).toBeInstanceOf(RangeError);
      expect(typeof codeOf(neg)).toBe('string');
      const str = await caught(() => sleep('10' as never));
      expect(str).toBeInstanceOf(TypeError);
      expect(typeof codeOf(str)).toBe('string');
    });
  });

  it('outside any runtime fails with NoRuntimeError', async () => {
    expect(await caught(() => sleep(1))).toBeInstanceOf(NoRuntimeError);
  });
});

describe('sleepUntil', () => {
  it('wakes at the deadline exactly', async () => {
    await runPaused(async () => {
      const deadline = Instant.now() + 75;
      await sleepUntil(deadline);
      expect(Instant.now()).toBe(deadline);
    });
  });

  it('a deadline in the past resolves without moving the clock', async () => {
    await runPaused(async () => {
      await time.advance(100);
      const now = Instant.now();
      await sleepUntil(now - 50);
      expect(Instant.now()).toBe(now);
    });
  });
});

describe('time.pause / resume / advance', () => {
  it('pause() freezes Instant against real time; resume() lets it run again', async () => {
    await run(async () => {
      time.pause();
      const t0 = Instant.now();
      await realDelay(30);
      expect(Instant.now()).toBe(t0);
      time.resume();
      await realDelay(30);
      expect(Instant.now()).toBeGreaterThan(t0);
    });
  });

  it('advance() while the clock runs is an error (Tokio: time is not frozen)', async () => {
    await run(async () => {
      const err = await caught(() => time.advance(10));
      expect(err).toBeInstanceOf(SkeinError);
    });
  });

  it('pause() twice and resume() while running are errors (Tokio panics)', async () => {
    await run(async () => {
      time.pause();
      expect(() => time.pause()).toThrow(SkeinError);
      time.resume();
      expect(() => time.resume()).toThrow(SkeinError);
    });
  });

  it('advance() rejects a negative duration with a coded RangeError', async () => {
    await runPaused(async () => {
      const err = await caught(() => time.advance(-1));
      expect(err).toBeInstanceOf(RangeError);
      expect(typeof codeOf(err)).toBe('string');
    });
  });

  it('pause() outside any runtime throws NoRuntimeError', () => {
    expect(() => time.pause()).toThrow(NoRuntimeError);
  });
});

describe('interval', () => {
  it('first tick is immediate; each tick resolves with its scheduled instant', async () => {
    await runPaused(async () => {
      const t0 = Instant.now();
      const iv = interval(100);
      expect(iv).toBeInstanceOf(Interval);
      expect(iv.period).toBe(100);
      expect(await iv.tick()).toBe(t0);
      expect(Instant.now()).toBe(t0);
      expect(await iv.tick()).toBe(t0 + 100);
      expect(Instant.now()).toBe(t0 + 100);
      expect(await iv.tick()).toBe(t0 + 200);
      expect(Instant.now()).toBe(t0 + 200);
    });
  });

  it('tick resolves with the scheduled instant even when the task runs late but within the threshold', async () => {
    await runPaused(async () => {
      const t0 = Instant.now();
      const iv = interval(100);
      await iv.tick();
      await sleep(103); // 3 ms late: not a missed tick
      expect(await iv.tick()).toBe(t0 + 100);
      expect(await iv.tick()).toBe(t0 + 200);
    });
  });

  it("'burst' (the default) fires the missed ticks at once, then resumes the original schedule", async () => {
    await runPaused(async () => {
      const t0 = Instant.now();
      const iv = interval(100);
      await iv.tick();
      await sleep(350);
      const ticks = [await iv.tick(), await iv.tick(), await iv.tick()];
      expect(ticks).toEqual([t0 + 100, t0 + 200, t0 + 300]);
      expect(Instant.now()).toBe(t0 + 350);
      expect(await iv.tick()).toBe(t0 + 400);
      expect(Instant.now()).toBe(t0 + 400);
    });
  });

  it("explicit 'burst' behaves like the default", async () => {
    await runPaused(async () => {
      const t0 = Instant.now();
      const iv = interval(10, { missedTickBehavior: 'burst' });
      await iv.tick();
      await sleep(25);
      expect([await iv.tick(), await iv.tick(), await iv.tick()]).toEqual([t0 + 10, t0 + 20, t0 + 30]);
    });
  });

  it("'delay' fires one missed tick at once, then restarts one period from now", async () => {
    await runPaused(async () => {
      const t0 = Instant.now();
      const iv = interval(100, { missedTickBehavior: 'delay' });
      await iv.tick();
      await sleep(350);
      expect(await iv.tick()).toBe(t0 + 100);
      expect(Instant.now()).toBe(t0 + 350);
      expect(await iv.tick()).toBe(t0 + 450);
      expect(Instant.now()).toBe(t0 + 450);
      expect(await iv.tick()).toBe(t0 + 550);
    });
  });

  it("'skip' fires one missed tick at once, then the next multiple of the period on the original schedule", async () => {
    await runPaused(async () => {
      const t0 = Instant.now();
      const iv = interval(100, { missedTickBehavior: 'skip' });
      await iv.tick();
      await sleep(350);
      expect(await iv.tick()).toBe(t0 + 100);
      expect(Instant.now()).toBe(t0 + 350);
      expect(await iv.tick()).toBe(t0 + 400);
      expect(Instant.now()).toBe(t0 + 400);
      expect(await iv.tick()).toBe(t0 + 500);
    });
  });

  it('reset() schedules the next tick one period from now', async () => {
    await runPaused(async () => {
      const t0 = Instant.now();
      const iv = interval(100);
      await iv.tick();
      await sleep(30);
      iv.reset();
      expect(await iv.tick()).toBe(t0 + 130);
      expect(Instant.now()).toBe(t0 + 130);
      expect(await iv.tick()).toBe(t0 + 230);
    });
  });

  it('tick() is cancel-safe: a tick lost in select is not consumed', async () => {
    await runPaused(async () => {
      const t0 = Instant.now();
      const iv = interval(100);
      await iv.tick();
      const r = await select({ tick: () => iv.tick(), other: () => sleep(50) }, { biased: true });
      expect(r.key).toBe('other');
      expect(await iv.tick()).toBe(t0 + 100);
      expect(Instant.now()).toBe(t0 + 100);
    });
  });

  it('is async iterable over the tick instants', async () => {
    await runPaused(async () => {
      const t0 = Instant.now();
      const seen: number[] = [];
      for await (const at of interval(25)) {
        seen.push(at - t0);
        if (seen.length === 4) break;
      }
      expect(seen).toEqual([0, 25, 50, 75]);
    });
  });

  it('rejects a zero, negative or non-number period with coded argument errors', async () => {
    await run(() => {
      for (const bad of [0, -5]) {
        let err: unknown;
        try {
          interval(bad);
        } catch (e) {
          err = e;
        }
        expect(err).toBeInstanceOf(RangeError);
        expect(typeof codeOf(err)).toBe('string');
      }
      let err: unknown;
      try {
        interval('10' as never);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(TypeError);
      expect(typeof codeOf(err)).toBe('string');
    });
  });

  it('rejects an unknown missedTickBehavior with a coded argument error', async () => {
    await run(() => {
      let err: unknown;
      try {
        interval(10, { missedTickBehavior: 'sometimes' as never });
      } catch (e) {
        err = e;
      }
      expect(err instanceof TypeError || err instanceof RangeError).toBe(true);
      expect(typeof codeOf(err)).toBe('string');
    });
  });
});

describe('timeout / timeoutAt', () => {
  it('resolves with the value when the future finishes in time', async () => {
    await runPaused(async () => {
      expect(
        await timeout(
          100,
          sleep(50).then(() => 'ok'),
        ),
      ).toBe('ok');
      expect(
        await timeout(100, async () => {
          await sleep(99);
          return 'thunk';
        }),
      ).toBe('thunk');
    });
  });

  it('throws Elapsed at exactly the deadline', async () => {
    await runPaused(async () => {
      const t0 = Instant.now();
      const err = await caught(() => timeout(50, sleep(1_000)));
      expect(err).toBeInstanceOf(Elapsed);
      expect(err).toBeInstanceOf(SkeinError);
      expect((err as Elapsed).code).toBe('ERR_SKEIN_ELAPSED');
      expect(Instant.now() - t0).toBe(50);
    });
  });

  it('rethrows the error of a future that fails in time, unchanged', async () => {
    await runPaused(async () => {
      const boom = new Error('boom');
      const err = await caught(() =>
        timeout(100, async () => {
          await sleep(10);
          throw boom;
        }),
      );
      expect(err).toBe(boom);
    });
  });

  it('a thunk receives an AbortSignal, which aborts on expiry; its runtime await rejects with Cancelled', async () => {
    await runPaused(async () => {
      let signal: AbortSignal | undefined;
      let inner: unknown;
      let cleaned = false;
      const err = await caught(() =>
        timeout(20, async (s: AbortSignal) => {
          signal = s;
          try {
            await sleep(1_000);
          } catch (e) {
            inner = e;
            throw e;
          } finally {
            cleaned = true;
          }
        }),
      );
      expect(err).toBeInstanceOf(Elapsed);
      expect(signal).toBeInstanceOf(AbortSignal);
      expect(signal!.aborted).toBe(true);
      await yieldNow();
      expect(inner).toBeInstanceOf(Cancelled);
      expect(cleaned).toBe(true);
    });
  });

  it('expiry cancels only the thunk, not the enclosing task', async () => {
    await runPaused(async () => {
      const h = spawn(async () => {
        await caught(() => timeout(5, () => sleep(100)));
        await sleep(10); // still allowed
        return currentTask()!.signal.aborted;
      });
      expect(await h).toBe(false);
    });
  });

  it('timeoutAt uses an absolute deadline', async () => {
    await runPaused(async () => {
      const deadline = Instant.now() + 40;
      const err = await caught(() => timeoutAt(deadline, () => sleep(100)));
      expect(err).toBeInstanceOf(Elapsed);
      expect(Instant.now()).toBe(deadline);
      expect(
        await timeoutAt(
          Instant.now() + 40,
          sleep(39).then(() => 3),
        ),
      ).toBe(3);
    });
  });

  it('an aborted task waiting in timeout gets Cancelled, not Elapsed', async () => {
    await runPaused(async () => {
      let inner: unknown;
      const h = spawn(async () => {
        try {
          await timeout(1_000, () => sleep(5_000));
        } catch (e) {
          inner = e;
          throw e;
        }
      });
      await sleep(1);
      h.abort();
      const err = await caught(() => h);
      expect((err as JoinError).isCancelled()).toBe(true);
      await yieldNow();
      expect(inner).toBeInstanceOf(Cancelled);
    });
  });

  it('the future is polled before the deadline is checked: a tie goes to the future (Tokio)', async () => {
    await runPaused(async () => {
      expect(
        await timeout(
          10,
          sleep(10).then(() => 'promise'),
        ),
      ).toBe('promise');
      expect(await timeout(10, () => sleep(10).then(() => 'thunk'))).toBe('thunk');
      const d = Instant.now() + 10;
      expect(await timeoutAt(d, () => sleepUntil(d).then(() => 'at'))).toBe('at');
    });
  });

  it('a future that is already complete wins even with a zero duration (Tokio)', async () => {
    await runPaused(async () => {
      expect(await timeout(0, Promise.resolve(5))).toBe(5);
      expect(await timeout(0, async () => 6)).toBe(6);
    });
  });

  it('rejects a negative duration with a coded RangeError', async () => {
    await run(async () => {
      const err = await caught(() => timeout(-1, Promise.resolve(1)));
      expect(err).toBeInstanceOf(RangeError);
      expect(typeof codeOf(err)).toBe('string');
    });
  });
});
