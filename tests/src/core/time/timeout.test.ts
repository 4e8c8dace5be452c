/**
 * timeout / timeoutAt: a value in time passes through; otherwise Elapsed, and a thunk is
 * cancelled (its signal aborts, its runtime await rejects with Cancelled, finally runs).
 */
import { describe, it, expect } from 'vitest';
import {
  timeout,
  timeoutAt,
  sleep,
  Instant,
  spawn,
  yieldNow,
  Elapsed,
  Cancelled,
  SkeinError,
  type JoinError,
  NoRuntimeError,
} from '@skein/core';
import { paused } from '../../support/paused.js';

describe('timeout', () => {
  it('a value in time passes through (promise and thunk)', async () => {
    await paused(async () => {
      const t0 = Instant.now();
      expect(
        await timeout(
          10,
          sleep(5).then(() => 'p'),
        ),
      ).toBe('p');
      expect(
        await timeout(10, async () => {
          await sleep(5);
          return 't';
        }),
      ).toBe('t');
      expect(await timeout(10, Promise.resolve('now'))).toBe('now');
      expect(Instant.now()).toBe(t0 + 10);
    });
  });

  it('an already-ready future wins even with a zero duration (the future is polled first)', async () => {
    await paused(async () => {
      expect(await timeout(0, Promise.resolve(1))).toBe(1);
      expect(await timeout(0, () => 2)).toBe(2);
      expect(await timeout(0, async () => 3)).toBe(3);
    });
  });

  it('expiry rejects with Elapsed, exactly at the deadline', async () => {
    await paused(async () => {
      const t0 = Instant.now();
      const e = await timeout(20, () => sleep(21)).then(
        () => null,
        (x: unknown) => x,
      );
      expect(e).toBeInstanceOf(Elapsed);
      expect(e).toBeInstanceOf(SkeinError);
      expect((e as Elapsed).code).toBe('ERR_SKEIN_ELAPSED');
      expect(Instant.now()).toBe(t0 + 20);
      // One ms more and it is in time.
      await expect(timeout(21, () => sleep(20))).resolves.toBeUndefined();
    });
  });

  it('the thunk receives an AbortSignal; on expiry it aborts, the runtime await rejects with Cancelled and finally runs', async () => {
    await paused(async () => {
      let signal: AbortSignal | undefined;
      let inner: unknown;
      let cleaned = false;
      const e = await timeout(10, async (s: AbortSignal) => {
        signal = s;
        try {
          await sleep(1000);
        } catch (x) {
          inner = x;
          throw x;
        } finally {
          cleaned = true;
        }
      }).then(
        () => null,
        (x: unknown) => x,
      );
      expect(e).toBeInstanceOf(Elapsed);
      expect(signal).toBeInstanceOf(AbortSignal);
      expect(signal!.aborted).toBe(true);
      await yieldNow();
      expect(inner).toBeInstanceOf(Cancelled);
      expect(cleaned).toBe(true);
    });
  });

  it('every later runtime await of a timed-out thunk rejects with Cancelled', async () => {
    await paused(async () => {
      const outcomes: string[] = [];
      await timeout(10, async () => {
        try {
          await sleep(1000);
        } catch {
          outcomes.push('first');
        }
        try {
          await sleep(1);
          outcomes.push('resolved');
        } catch (x) {
          outcomes.push(x instanceof Cancelled ? 'second' : 'other');
        }
      }).catch(() => undefined);
      await sleep(5);
      expect(outcomes).toEqual(['first', 'second']);
    });
  });

  it('a timed-out thunk does not cancel the surrounding task', async () => {
    await paused(async () => {
      await expect(timeout(1, () => sleep(100))).rejects.toBeInstanceOf(Elapsed);
      await sleep(1); // still usable
      expect(await spawn(() => 'ok')).toBe('ok');
    });
  });

  it('a plain promise is not cancelled on expiry: it only stops being waited for', async () => {
    await paused(async () => {
      let finished = false;
      const p = sleep(50).then(() => {
        finished = true;
      });
      await expect(timeout(10, p)).rejects.toBeInstanceOf(Elapsed);
      await sleep(50);
      expect(finished).toBe(true);
    });
  });

  it('an error from the future passes through unchanged', async () => {
    await paused(async () => {
      const boom = new Error('inner');
      await expect(
        timeout(10, async () => {
          await sleep(1);
          throw boom;
        }),
      ).rejects.toBe(boom);
      await expect(timeout(10, Promise.reject(boom))).rejects.toBe(boom);
    });
  });

  it('a completed timeout leaves no timer behind (auto-advance does not jump to it)', async () => {
    await paused(async () => {
      const t0 = Instant.now();
      expect(
        await timeout(1_000_000, async () => {
          await sleep(1);
          return 1;
        }),
      ).toBe(1);
      // Idle on a foreign timer: auto-advance would now jump to any timer left in the wheel.
      await new Promise((r) => setTimeout(r, 5));
      await yieldNow();
      expect(Instant.now()).toBe(t0 + 1);
    });
  });

  it('aborting the surrounding task rejects a pending timeout with Cancelled and cancels its thunk', async () => {
    await paused(async () => {
      let outer: unknown;
      let inner: unknown;
      const h = spawn(async () => {
        try {
          await timeout(1000, async () => {
            try {
              await sleep(500);
            } catch (e) {
              inner = e;
              throw e;
            }
          });
        } catch (e) {
          outer = e;
          throw e;
        }
      });
      await yieldNow();
      h.abort();
      const je = await h.then(
        () => null,
        (e: unknown) => e,
      );
      expect((je as JoinError).isCancelled()).toBe(true);
      await yieldNow();
      expect(inner).toBeInstanceOf(Cancelled);
      expect(outer).toBeInstanceOf(Cancelled);
    });
  });

  it('timeoutAt takes an absolute Instant deadline', async () => {
    await paused(async () => {
      const t0 = Instant.now();
      expect(
        await timeoutAt(t0 + 10, async () => {
          await sleep(9);
          return 'in time';
        }),
      ).toBe('in time');
      await expect(timeoutAt(t0 + 20, () => sleep(100))).rejects.toBeInstanceOf(Elapsed);
      expect(Instant.now()).toBe(t0 + 20);
      // A deadline in the past: only an already-ready future can win.
      await expect(timeoutAt(t0, () => sleep(1))).rejects.toBeInstanceOf(Elapsed);
    });
  });

  it('bad arguments throw RangeError / TypeError with a code; outside a runtime NoRuntimeError', async () => {
    await paused(async () => {
      const fail = (f: () => unknown): { name: string; code?: string } => {
        try {
          f();
        } catch (e) {
          return { name: (e as Error).constructor.name, code: (e as { code?: string }).code };
        }
        return { name: 'none' };
      };
      expect(fail(() => timeout(-1, Promise.resolve()))).toEqual({ name: 'RangeError', code: 'ERR_OUT_OF_RANGE' });
      expect(fail(() => timeout(5, 42 as never))).toEqual({ name: 'TypeError', code: 'ERR_INVALID_ARG_TYPE' });
      expect(fail(() => timeoutAt('x' as never, Promise.resolve()))).toEqual({
        name: 'TypeError',
        code: 'ERR_INVALID_ARG_TYPE',
      });
    });
    expect(() => timeout(5, Promise.resolve())).toThrow(NoRuntimeError);
  });
});
