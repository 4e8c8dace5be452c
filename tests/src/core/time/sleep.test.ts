/**
 * sleep, sleepUntil, Instant and the paused clock (startPaused, time.pause/advance/resume,
 * auto-advance). Everything but the first test runs on a paused clock, so assertions are
 * exact instants, never wall-clock durations.
 */
import { describe, it, expect } from 'vitest';
import {
  Runtime,
  sleep,
  sleepUntil,
  Instant,
  time,
  spawn,
  yieldNow,
  Cancelled,
  JoinError,
  NoRuntimeError,
  SkeinError,
} from '@skein/core';
import { paused } from '../../support/paused.js';
import { rng } from '../../support/rng.js';

describe('sleep on the real clock', () => {
  it('sleep and sleepUntil resolve; the clock moved at least that far', async () => {
    const rt = await Runtime.currentThread();
    await rt.blockOn(async () => {
      const t0 = Instant.now();
      await sleep(3);
      expect(Instant.now() - t0).toBeGreaterThanOrEqual(3 - 0.001);
      const deadline = Instant.now() + 2;
      await sleepUntil(deadline);
      expect(Instant.now()).toBeGreaterThanOrEqual(deadline - 0.001);
      await sleep(0);
      await sleepUntil(Instant.now() - 100); // a past deadline resolves at once
      expect(Instant.elapsed(t0)).toBeGreaterThanOrEqual(5 - 0.001);
    });
    await rt.shutdown();
  });

  it('Instant.now is monotonic, inside and outside a runtime', async () => {
    const a = Instant.now();
    const b = Instant.now();
    expect(b).toBeGreaterThanOrEqual(a);
    const rt = await Runtime.currentThread();
    await rt.blockOn(async () => {
      let prev = Instant.now();
      for (let i = 0; i < 20; i++) {
        await sleep(0);
        const now = Instant.now();
        expect(now).toBeGreaterThanOrEqual(prev);
        prev = now;
      }
    });
    await rt.shutdown();
  });
});

describe('argument validation and context', () => {
  it('bad durations throw RangeError / TypeError with a code', async () => {
    await paused(async () => {
      const codeOf = (f: () => unknown): [string, string | undefined] => {
        try {
          f();
        } catch (e) {
          return [(e as Error).constructor.name, (e as { code?: string }).code];
        }
        return ['none', undefined];
      };
      expect(codeOf(() => sleep(-1))).toEqual(['RangeError', 'ERR_OUT_OF_RANGE']);
      expect(codeOf(() => sleep(Infinity))).toEqual(['RangeError', 'ERR_OUT_OF_RANGE']);
      expect(codeOf(() => sleep('5' as never))).toEqual(['TypeError', 'ERR_INVALID_ARG_TYPE']);
      expect(codeOf(() => sleep(Number.NaN))).toEqual(['RangeError', 'ERR_OUT_OF_RANGE']);
      expect(codeOf(() => sleepUntil(Number.NaN))).toEqual(['RangeError', 'ERR_OUT_OF_RANGE']);
      expect(codeOf(() => sleepUntil('x' as never))).toEqual(['TypeError', 'ERR_INVALID_ARG_TYPE']);
    });
  });

  it('time functions outside a runtime throw NoRuntimeError', () => {
    expect(() => sleep(1)).toThrow(NoRuntimeError);
    expect(() => sleepUntil(0)).toThrow(NoRuntimeError);
    expect(() => time.pause()).toThrow(NoRuntimeError);
    expect(() => time.resume()).toThrow(NoRuntimeError);
  });

  it('pause twice, resume unpaused, advance unpaused: SkeinError with a code', async () => {
    const rt = await Runtime.currentThread();
    await rt.blockOn(async () => {
      const err = (f: () => unknown): unknown => {
        try {
          f();
        } catch (e) {
          return e;
        }
        return undefined;
      };
      const e1 = err(() => time.resume());
      expect(e1).toBeInstanceOf(SkeinError);
      expect((e1 as SkeinError).code).toBe('ERR_SKEIN_CLOCK_NOT_PAUSED');
      const e2 = await time.advance(5).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(e2).toBeInstanceOf(SkeinError);
      expect((e2 as SkeinError).code).toBe('ERR_SKEIN_CLOCK_NOT_PAUSED');
      time.pause();
      const e3 = err(() => time.pause());
      expect((e3 as SkeinError).code).toBe('ERR_SKEIN_CLOCK_PAUSED');
      time.resume();
    });
    await rt.shutdown();
  });
});

describe('paused clock', () => {
  it('startPaused: the clock stands still until something advances it', async () => {
    await paused(async () => {
      const t0 = Instant.now();
      expect(Number.isInteger(t0)).toBe(true);
      await new Promise((r) => setTimeout(r, 5)); // real time passes, paused time doesn't
      await yieldNow();
      expect(Instant.now()).toBe(t0);
    });
  });

  it('sleep(0), sleepUntil(now) and a past deadline are ready at once while another task keeps the runtime busy', async () => {
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
      await sleep(0);
      await sleepUntil(t0);
      await sleepUntil(t0 - 5);
      const doneAt = spins;
      await spinner;
      // Done while the spinner was still going (the clock never moved), not after it gave up.
      expect(doneAt).toBeLessThan(SPINS);
      expect(Instant.now()).toBe(t0);
    });
  });

  it('a due paused deadline fires the earlier due timers first, in deadline order', async () => {
    await paused(async () => {
      const t0 = Instant.now();
      time.resume();
      // Timers left on the wheel by the running clock, due (but not yet fired: no event-loop
      // turn in between) by the time it pauses again.
      const order: string[] = [];
      const a = sleepUntil(t0 + 1).then(() => order.push('a'));
      const b = sleepUntil(t0 + 2).then(() => order.push('b'));
      while (Instant.now() < t0 + 3); // eslint-disable-line no-empty
      time.pause();
      await sleepUntil(t0 + 2);
      order.push('me');
      await a;
      await b;
      expect(order).toEqual(['a', 'b', 'me']);
    });
  });

  it('sleep(d) resolves on exactly advance(d): not at d-1, no +1 ms rounding', async () => {
    await paused(async () => {
      // Durations that land in different wheel levels.
      for (const d of [1, 2, 10, 63, 64, 65, 1000, 4095, 4097, 262_145]) {
        let done = false;
        const t0 = Instant.now();
        const h = spawn(async () => {
          await sleep(d);
          done = true;
          return Instant.now();
        });
        await yieldNow(); // let it register its sleep
        if (d > 1) {
          await time.advance(d - 1);
          expect(done, `sleep(${d}) woke at advance(${d - 1})`).toBe(false);
          await time.advance(1);
        } else {
          await time.advance(1);
        }
        expect(done, `sleep(${d}) did not wake at advance(${d})`).toBe(true);
        expect(await h).toBe(t0 + d);
        expect(Instant.now()).toBe(t0 + d);
      }
    });
  });

  it('advance moves Instant by exactly ms; sleepUntil fires exactly at its deadline', async () => {
    await paused(async () => {
      const t0 = Instant.now();
      await time.advance(250);
      expect(Instant.now()).toBe(t0 + 250);
      let woke = -1;
      const h = spawn(async () => {
        await sleepUntil(t0 + 300);
        woke = Instant.now();
      });
      await yieldNow();
      await time.advance(49);
      expect(woke).toBe(-1);
      await time.advance(1);
      expect(woke).toBe(t0 + 300);
      await h;
    });
  });

  it('advance fires due timers in deadline order and leaves later ones pending', async () => {
    await paused(async () => {
      const t0 = Instant.now();
      const order: number[] = [];
      const hs = [30, 10, 20, 40].map((d) =>
        spawn(async () => {
          await sleep(d);
          order.push(d);
        }),
      );
      await yieldNow();
      await time.advance(30);
      expect(order).toEqual([10, 20, 30]);
      expect(Instant.now()).toBe(t0 + 30);
      await time.advance(10);
      expect(order).toEqual([10, 20, 30, 40]);
      await Promise.all(hs);
    });
  });

  it('auto-advance: a 1 h sleep finishes in well under 2 s of wall time, at exactly +1 h', async () => {
    await paused(async () => {
      const t0 = Instant.now();
      await sleep(3_600_000);
      expect(Instant.now() - t0).toBe(3_600_000);
      // Many sleeping tasks, each an hour apart, too.
      const hs = [1, 2, 3, 24].map((h) =>
        spawn(async () => {
          await sleep(h * 3_600_000);
          return Instant.now() - t0;
        }),
      );
      // Real time would hit the test's timeout long before an hour.
      expect(await Promise.all(hs)).toEqual([2, 3, 4, 25].map((h) => h * 3_600_000));
    });
  });

  it('auto-advance jumps only to the next deadline, one at a time', async () => {
    await paused(async () => {
      const t0 = Instant.now();
      const seen: number[] = [];
      const hs = [500, 100, 300].map((d) =>
        spawn(async () => {
          await sleep(d);
          seen.push(Instant.now() - t0);
        }),
      );
      await Promise.all(hs);
      expect(seen).toEqual([100, 300, 500]);
    });
  });

  it('time.pause / advance / resume on a running clock; resume continues from the paused instant', async () => {
    const rt = await Runtime.currentThread();
    await rt.blockOn(async () => {
      time.pause();
      const p = Instant.now();
      expect(Number.isInteger(p)).toBe(true);
      await new Promise((r) => setTimeout(r, 3));
      expect(Instant.now()).toBe(p);
      let done = false;
      const h = spawn(async () => {
        await sleep(50);
        done = true;
      });
      await yieldNow();
      await time.advance(49);
      expect(done).toBe(false);
      await time.advance(1);
      expect(done).toBe(true);
      await h;
      time.resume();
      const r = Instant.now();
      expect(r).toBeGreaterThanOrEqual(p + 50);
      expect(r).toBeLessThan(p + 50 + 1000); // no jump back to real time, no wild jump forward
      await sleep(1); // the real clock drives timers again
      expect(Instant.now()).toBeGreaterThan(r);
    });
    await rt.shutdown();
  });

  it('a sleep aborted mid-way rejects with Cancelled and never fires later', async () => {
    await paused(async () => {
      const t0 = Instant.now();
      let err: unknown;
      let fired = false;
      const h = spawn(async () => {
        try {
          await sleep(100);
          fired = true;
        } catch (e) {
          err = e;
          throw e;
        }
      });
      await yieldNow();
      h.abort();
      await expect(h).rejects.toBeInstanceOf(JoinError);
      await yieldNow();
      expect(err).toBeInstanceOf(Cancelled);
      // Idle on a foreign timer: auto-advance would jump to the cancelled sleep if it were
      // still in the wheel.
      await new Promise((r) => setTimeout(r, 5));
      await yieldNow();
      expect(Instant.now()).toBe(t0);
      await sleep(500);
      expect(Instant.now()).toBe(t0 + 500);
      expect(fired).toBe(false);
    });
  });

  it('thousands of concurrent sleeps wake in deadline order (FIFO among equal deadlines), each exactly on time', async () => {
    await paused(async () => {
      const rand = rng(42);
      const N = 5000;
      const t0 = Instant.now();
      const deadlines: number[] = [];
      const woke: { i: number; at: number }[] = [];
      const hs = [];
      for (let i = 0; i < N; i++) {
        // Spread over every wheel level up to ~1 day, with many duplicates at the low end.
        const r = rand();
        const d = r < 0.3 ? 1 + Math.floor(rand() * 50) : Math.floor(Math.exp(rand() * Math.log(86_400_000)));
        deadlines.push(d);
        hs.push(
          spawn(async () => {
            await sleep(d);
            woke.push({ i, at: Instant.now() - t0 });
          }),
        );
      }
      await Promise.all(hs);
      expect(woke).toHaveLength(N);
      for (const w of woke) expect(w.at).toBe(deadlines[w.i]);
      const expected = deadlines
        .map((d, i) => ({ d, i }))
        .sort((a, b) => a.d - b.d || a.i - b.i)
        .map((x) => x.i);
      expect(woke.map((w) => w.i)).toEqual(expected);
    });
  });

  it('concurrent sleeps on the real clock wake in deadline order', async () => {
    const rt = await Runtime.currentThread();
    await rt.blockOn(async () => {
      const N = 2000;
      // Deadlines well in the future of every registration: a deadline already past when
      // its task first runs completes at once, in registration order, as in Tokio.
      const base = Math.ceil(Instant.now()) + 200;
      const woke: number[] = [];
      const hs = [];
      for (let i = 0; i < N; i++) {
        hs.push(
          spawn(async () => {
            await sleepUntil(base + (i % 20));
            woke.push(i);
          }),
        );
      }
      await Promise.all(hs);
      const expected = Array.from({ length: N }, (_, i) => i).sort((a, b) => (a % 20) - (b % 20) || a - b);
      expect(woke).toEqual(expected);
    });
    await rt.shutdown();
  });
});
