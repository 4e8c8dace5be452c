/**
 * join / tryJoin: join runs every branch to completion and then rejects with the first
 * error; tryJoin's first error cancels the other thunks (signal aborts, runtime awaits reject
 * with Cancelled) and rejects at once. Paused clock: completion order comes from sleeps.
 */
import { describe, it, expect, beforeEach, afterEach } from 'vitest';
import { Runtime, join, tryJoin, sleep, spawn, Instant, yieldNow, Cancelled, JoinError } from '@skein/core';

let rt: Runtime;
beforeEach(async () => { rt = await Runtime.builder().startPaused(true).build(); });
afterEach(async () => { await rt.shutdown(); });

describe('join', () => {
  it('resolves with every value in argument order, from promises and thunks', async () => {
    await rt.blockOn(async () => {
      const t0 = Instant.now();
      const r = await join(
        async () => { await sleep(30); return 'slow'; },
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
      await join((s) => { signals.push(s); return 1; }, async (s: AbortSignal) => { signals.push(s); });
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
        async () => { await sleep(20); throw new Error('second'); },
        async () => { await sleep(10); throw first; },
        async (s: AbortSignal) => {
          await sleep(50);
          aborted = s.aborted;
          finished.push('slow');
          return 1;
        },
      ).then(() => null, (x: unknown) => x);
      expect(e).toBe(first);
      expect(finished).toEqual(['slow']);
      expect(aborted).toBe(false); // an error does not cancel the others in join
      expect(Instant.now()).toBe(t0 + 50); // it waited for the slow branch
    });
  });

  it('a synchronous throw in a thunk is a rejection, not a throw from join()', async () => {
    await rt.blockOn(async () => {
      const boom = new Error('sync');
      const p = join(() => { throw boom; }, async () => { await sleep(1); return 2; });
      expect(p).toBeInstanceOf(Promise);
      await expect(p).rejects.toBe(boom);
    });
  });

  it('a non-promise, non-function branch is a coded TypeError', async () => {
    await rt.blockOn(async () => {
      let err: unknown;
      try { await join(42 as never); } catch (e) { err = e; }
      expect(err).toBeInstanceOf(TypeError);
      expect((err as { code?: string }).code).toBe('ERR_INVALID_ARG_TYPE');
    });
  });
});

describe('tryJoin', () => {
  it('resolves with every value when nothing fails', async () => {
    await rt.blockOn(async () => {
      expect(await tryJoin(async () => { await sleep(5); return 'a'; }, sleep(1).then(() => 'b'), () => 'c')).toEqual(['a', 'b', 'c']);
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
      const e = await tryJoin(slow(0), async () => { await sleep(10); throw boom; }, slow(1))
        .then(() => null, (x: unknown) => x);
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

  it('a cancelled branch\'s later runtime awaits reject with Cancelled too', async () => {
    await rt.blockOn(async () => {
      const outcomes: string[] = [];
      const done = spawn(() => 0);
      await done;
      await tryJoin(
        async () => { await sleep(1); throw new Error('x'); },
        async () => {
          try { await sleep(100); } catch { outcomes.push('sleep'); }
          try { await sleep(1); outcomes.push('sleep resolved'); } catch (e) { outcomes.push(e instanceof Cancelled ? 'sleep2' : '?'); }
          try { await done; outcomes.push('join resolved'); } catch (e) { outcomes.push(e instanceof Cancelled ? 'join' : '?'); }
        },
      ).catch(() => undefined);
      await sleep(5);
      expect(outcomes).toEqual(['sleep', 'sleep2', 'join']);
    });
  });

  it('cancelling a branch does not cancel the surrounding task or tasks it spawned', async () => {
    await rt.blockOn(async () => {
      const spawned = spawn(async () => { await sleep(50); return 'spawned'; });
      await tryJoin(async () => { await sleep(1); throw new Error('x'); }, async () => { await spawned; }).catch(() => undefined);
      expect(spawned.isFinished()).toBe(false);
      expect(await spawned).toBe('spawned');
      await sleep(1); // the surrounding task is not cancelled
    });
  });

  it('plain promise branches are not cancelled, only no longer waited for', async () => {
    await rt.blockOn(async () => {
      let finished = false;
      const p = sleep(20).then(() => { finished = true; });
      await expect(tryJoin(p, async () => { await sleep(1); throw new Error('x'); })).rejects.toThrow('x');
      await sleep(30);
      expect(finished).toBe(true);
    });
  });

  it('a task aborted while in tryJoin cancels every branch', async () => {
    await rt.blockOn(async () => {
      const inner: unknown[] = [];
      const h = spawn(() => tryJoin(
        async () => { try { await sleep(100); } catch (e) { inner.push(e); throw e; } },
        async () => { try { await sleep(200); } catch (e) { inner.push(e); throw e; } },
      ));
      await yieldNow();
      h.abort();
      const e = await h.then(() => null, (x: unknown) => x);
      expect((e as JoinError).isCancelled()).toBe(true);
      await yieldNow();
      expect(inner).toHaveLength(2);
      for (const x of inner) expect(x).toBeInstanceOf(Cancelled);
    });
  });
});
