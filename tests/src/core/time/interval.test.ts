/**
 * interval: the first tick is immediate, tick() resolves with the scheduled instant, and
 * missed ticks follow Tokio's MissedTickBehavior exactly (a tick is late only when more than
 * 5 ms late). Paused clock throughout: `time.advance` without a pending tick simulates work
 * that overran the period.
 */
import { describe, it, expect } from 'vitest';
import {
  Runtime,
  spawn,
  yieldNow,
  interval,
  Interval,
  Instant,
  time,
  timeout,
  Elapsed,
  NoRuntimeError,
  type MissedTickBehavior,
} from '@skein/core';
import { paused } from '../../support/paused.js';

/** Ticks (relative to the start) and the clock (relative) right after each tick. */
async function ticks(it: Interval, n: number, t0: number): Promise<{ tick: number; now: number }[]> {
  const out: { tick: number; now: number }[] = [];
  for (let i = 0; i < n; i++) {
    const t = await it.tick();
    out.push({ tick: t - t0, now: Instant.now() - t0 });
  }
  return out;
}

describe('interval', () => {
  it('the first tick is immediate and ticks resolve with their scheduled instants', async () => {
    await paused(async () => {
      const t0 = Instant.now();
      const it = interval(10);
      expect(it).toBeInstanceOf(Interval);
      expect(it.period).toBe(10);
      expect(await it.tick()).toBe(t0);
      expect(Instant.now()).toBe(t0); // no waiting for the first tick
      expect(await ticks(it, 3, t0)).toEqual([
        { tick: 10, now: 10 },
        { tick: 20, now: 20 },
        { tick: 30, now: 30 },
      ]);
    });
  });

  it('the first tick is immediate on a paused clock while another task keeps the runtime busy', async () => {
    await paused(async () => {
      const SPINS = 2_000;
      let spins = 0;
      const spinner = spawn(async () => {
        while (spins < SPINS) {
          await yieldNow();
          spins++;
        }
      });
      const t0 = Instant.now();
      const it = interval(10);
      expect(await it.tick()).toBe(t0);
      const doneAt = spins;
      await spinner;
      expect(doneAt).toBeLessThan(SPINS);
    });
  });

  it('the first tick is immediate on the real clock too', async () => {
    const rt = await Runtime.currentThread();
    await rt.blockOn(async () => {
      const before = Instant.now();
      const it = interval(60_000);
      const first = await it.tick();
      expect(first).toBeGreaterThanOrEqual(before);
      // A second tick is a minute away: it must not complete within a few event-loop turns.
      await expect(timeout(5, it.tick())).rejects.toBeInstanceOf(Elapsed);
    });
    await rt.shutdown();
  });

  it('tick() resolves with the scheduled instant even when it runs late (within 5 ms)', async () => {
    await paused(async () => {
      const t0 = Instant.now();
      const it = interval(10);
      await it.tick();
      await time.advance(13); // 3 ms late for the tick due at +10
      expect(await it.tick()).toBe(t0 + 10);
      expect(Instant.now()).toBe(t0 + 13);
      expect(await it.tick()).toBe(t0 + 20);
    });
  });

  it('burst (the default): missed ticks fire back to back until on schedule again', async () => {
    await paused(async () => {
      const t0 = Instant.now();
      const it = interval(10);
      expect(it.missedTickBehavior).toBe('burst');
      await it.tick();
      await time.advance(35);
      expect(await ticks(it, 4, t0)).toEqual([
        { tick: 10, now: 35 }, // late: fires at once
        { tick: 20, now: 35 }, // burst: catches up at once
        { tick: 30, now: 35 },
        { tick: 40, now: 40 }, // on schedule again: waits
      ]);
      expect(await ticks(it, 1, t0)).toEqual([{ tick: 50, now: 50 }]);
    });
  });

  it('delay: after a late tick, the next is one period from when it fired', async () => {
    await paused(async () => {
      const t0 = Instant.now();
      const it = interval(10, { missedTickBehavior: 'delay' });
      expect(it.missedTickBehavior).toBe('delay');
      await it.tick();
      await time.advance(35);
      expect(await ticks(it, 4, t0)).toEqual([
        { tick: 10, now: 35 },
        { tick: 45, now: 45 },
        { tick: 55, now: 55 },
        { tick: 65, now: 65 },
      ]);
    });
  });

  it('skip: after a late tick, the next is the next multiple of the period on the original schedule', async () => {
    await paused(async () => {
      const t0 = Instant.now();
      const it = interval(10, { missedTickBehavior: 'skip' });
      await it.tick();
      await time.advance(35);
      expect(await ticks(it, 3, t0)).toEqual([
        { tick: 10, now: 35 },
        { tick: 40, now: 40 }, // 20 and 30 skipped
        { tick: 50, now: 50 },
      ]);
      // Landing exactly on a multiple: the next one is a whole period on.
      await time.advance(40); // now +90; the tick due at +60 is 30 ms late
      expect(await ticks(it, 2, t0)).toEqual([
        { tick: 60, now: 90 },
        { tick: 100, now: 100 },
      ]);
    });
  });

  it("a tick exactly 5 ms late is on time; 6 ms late is missed (Tokio's threshold)", async () => {
    const run = async (behavior: MissedTickBehavior, lateBy: number): Promise<number[]> =>
      paused(async () => {
        const t0 = Instant.now();
        const it = interval(10, { missedTickBehavior: behavior });
        await it.tick();
        await time.advance(10 + lateBy);
        return (await ticks(it, 2, t0)).map((x) => x.tick);
      });
    expect(await run('delay', 5)).toEqual([10, 20]);
    expect(await run('delay', 6)).toEqual([10, 26]);
    expect(await run('skip', 5)).toEqual([10, 20]);
    expect(await run('skip', 6)).toEqual([10, 20]); // 16 + 10 - 6 = 20 either way
    expect(await run('skip', 17)).toEqual([10, 30]);
    expect(await run('burst', 6)).toEqual([10, 20]);
  });

  it('reset(): the next tick is one period from now', async () => {
    await paused(async () => {
      const t0 = Instant.now();
      const it = interval(10);
      await it.tick();
      await time.advance(3);
      it.reset();
      expect(await ticks(it, 2, t0)).toEqual([
        { tick: 13, now: 13 },
        { tick: 23, now: 23 },
      ]);
    });
  });

  it('a cancelled tick() does not consume its tick', async () => {
    await paused(async () => {
      const t0 = Instant.now();
      const it = interval(100);
      await it.tick();
      await expect(timeout(30, () => it.tick())).rejects.toBeInstanceOf(Elapsed);
      expect(Instant.now()).toBe(t0 + 30);
      expect(await it.tick()).toBe(t0 + 100);
    });
  });

  it('is async-iterable', async () => {
    await paused(async () => {
      const t0 = Instant.now();
      const out: number[] = [];
      for await (const t of interval(7)) {
        out.push(t - t0);
        if (out.length === 4) break;
      }
      expect(out).toEqual([0, 7, 14, 21]);
    });
  });

  it('interval(0) and other bad periods throw RangeError / TypeError with a code', async () => {
    await paused(async () => {
      const fail = (f: () => unknown): { name: string; code?: string } => {
        try {
          f();
        } catch (e) {
          return { name: (e as Error).constructor.name, code: (e as { code?: string }).code };
        }
        return { name: 'none' };
      };
      expect(fail(() => interval(0))).toEqual({ name: 'RangeError', code: 'ERR_OUT_OF_RANGE' });
      expect(fail(() => interval(-10))).toEqual({ name: 'RangeError', code: 'ERR_OUT_OF_RANGE' });
      expect(fail(() => interval('10' as never))).toEqual({ name: 'TypeError', code: 'ERR_INVALID_ARG_TYPE' });
      expect(fail(() => interval(10, { missedTickBehavior: 'nope' as never })).name).toBe('TypeError');
    });
    expect(() => interval(10)).toThrow(NoRuntimeError);
  });
});
