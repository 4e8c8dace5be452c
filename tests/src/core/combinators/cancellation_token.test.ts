/**
 * CancellationToken: cancel / isCancelled / cancelled(), child tokens (cancelled by the
 * parent, never the other way), the AbortSignal bridge, and runUntilCancelled with a
 * promise or a thunk (the thunk is cancelled with the token).
 */
import { describe, it, expect, beforeEach, afterEach } from 'vitest';
import { Runtime, CancellationToken, sleep, spawn, yieldNow, Instant, Cancelled, type JoinError } from '@skein/core';

let rt: Runtime;
beforeEach(async () => {
  rt = await Runtime.builder().startPaused(true).build();
});
afterEach(async () => {
  await rt.shutdown();
});

describe('CancellationToken', () => {
  it('cancel / isCancelled, idempotent', () => {
    const t = new CancellationToken();
    expect(t.isCancelled()).toBe(false);
    t.cancel();
    expect(t.isCancelled()).toBe(true);
    t.cancel();
    expect(t.isCancelled()).toBe(true);
  });

  it('cancelled() resolves once the token is cancelled, for every waiter', async () => {
    await rt.blockOn(async () => {
      const t = new CancellationToken();
      const t0 = Instant.now();
      const woke: number[] = [];
      const hs = [0, 1, 2].map((i) =>
        spawn(async () => {
          await t.cancelled();
          woke.push(i);
          return Instant.now() - t0;
        }),
      );
      await sleep(10);
      expect(woke).toEqual([]);
      spawn(async () => {
        await sleep(15);
        t.cancel();
      });
      expect(await Promise.all(hs)).toEqual([25, 25, 25]);
      expect(woke.sort()).toEqual([0, 1, 2]);
      // Already cancelled: resolves at once.
      await t.cancelled();
    });
  });

  it('cancelled() works outside a runtime too', async () => {
    const t = new CancellationToken();
    const p = t.cancelled();
    setTimeout(() => t.cancel(), 1);
    await p;
    expect(t.isCancelled()).toBe(true);
  });

  it('a waiting cancelled() is itself cancellable: an aborted task leaves the token untouched', async () => {
    await rt.blockOn(async () => {
      const t = new CancellationToken();
      let err: unknown;
      const h = spawn(async () => {
        try {
          await t.cancelled();
        } catch (e) {
          err = e;
          throw e;
        }
      });
      await yieldNow();
      h.abort();
      expect(
        (
          (await h.then(
            () => null,
            (e: unknown) => e,
          )) as JoinError
        ).isCancelled(),
      ).toBe(true);
      await yieldNow();
      expect(err).toBeInstanceOf(Cancelled);
      expect(t.isCancelled()).toBe(false);
      t.cancel(); // no stale waiter trips over anything
    });
  });

  it('in an aborted task, even a ready cancelled() rejects with Cancelled', async () => {
    await rt.blockOn(async () => {
      const t = new CancellationToken();
      t.cancel();
      let err: unknown;
      const h = spawn(async () => {
        try {
          await sleep(1000);
        } catch {
          /* the abort */
        }
        try {
          await t.cancelled();
        } catch (e) {
          err = e;
        }
      });
      await yieldNow();
      h.abort();
      await sleep(1);
      expect(err).toBeInstanceOf(Cancelled);
    });
  });

  it('child tokens are cancelled by their parent, never the other way round', () => {
    const parent = new CancellationToken();
    const a = parent.child();
    const b = parent.child();
    const grandchild = a.child();
    a.cancel();
    expect(a.isCancelled()).toBe(true);
    expect(grandchild.isCancelled()).toBe(true);
    expect(parent.isCancelled()).toBe(false);
    expect(b.isCancelled()).toBe(false);
    parent.cancel();
    expect(b.isCancelled()).toBe(true);
    // A child of a cancelled token starts cancelled.
    expect(parent.child().isCancelled()).toBe(true);
  });

  it('a child waiting in cancelled() wakes when the parent is cancelled', async () => {
    await rt.blockOn(async () => {
      const parent = new CancellationToken();
      const child = parent.child().child();
      const h = spawn(async () => {
        await child.cancelled();
        return 'woke';
      });
      await yieldNow();
      parent.cancel();
      expect(await h).toBe('woke');
    });
  });

  it('signal aborts when the token (or its parent) is cancelled', () => {
    const parent = new CancellationToken();
    const child = parent.child();
    const s = child.signal;
    expect(s).toBeInstanceOf(AbortSignal);
    expect(s.aborted).toBe(false);
    let fired = 0;
    s.addEventListener('abort', () => {
      fired++;
    });
    parent.cancel();
    expect(s.aborted).toBe(true);
    expect(fired).toBe(1);
    // Asked for after cancellation: already aborted.
    const late = new CancellationToken();
    late.cancel();
    expect(late.signal.aborted).toBe(true);
  });

  it('runUntilCancelled(promise): the value when in time, undefined when cancelled first', async () => {
    await rt.blockOn(async () => {
      const t = new CancellationToken();
      expect(await t.runUntilCancelled(sleep(5).then(() => 'value'))).toBe('value');
      let finished = false;
      const p = sleep(50).then(() => {
        finished = true;
        return 'late';
      });
      spawn(async () => {
        await sleep(10);
        t.cancel();
      });
      expect(await t.runUntilCancelled(p)).toBeUndefined();
      // A plain promise is not cancelled, only no longer waited for.
      await sleep(50);
      expect(finished).toBe(true);
      // Already cancelled: undefined at once.
      expect(await t.runUntilCancelled(Promise.resolve('x'))).toBeUndefined();
    });
  });

  it('runUntilCancelled(thunk): the thunk gets a signal and is cancelled with the token', async () => {
    await rt.blockOn(async () => {
      const t = new CancellationToken();
      const t0 = Instant.now();
      let signal: AbortSignal | undefined;
      let inner: unknown;
      let cleaned = false;
      spawn(async () => {
        await sleep(10);
        t.cancel();
      });
      const r = await t.runUntilCancelled(async (s: AbortSignal) => {
        signal = s;
        try {
          await sleep(1000);
          return 'never';
        } catch (e) {
          inner = e;
          throw e;
        } finally {
          cleaned = true;
        }
      });
      expect(r).toBeUndefined();
      expect(Instant.now()).toBe(t0 + 10);
      expect(signal!.aborted).toBe(true);
      await yieldNow();
      expect(inner).toBeInstanceOf(Cancelled);
      expect(cleaned).toBe(true);
      // In time: the thunk's value, and its signal never aborts.
      const t2 = new CancellationToken();
      let s2: AbortSignal | undefined;
      expect(
        await t2.runUntilCancelled(async (s: AbortSignal) => {
          s2 = s;
          await sleep(1);
          return 7;
        }),
      ).toBe(7);
      t2.cancel();
      expect(s2!.aborted).toBe(false);
    });
  });

  it('runUntilCancelled passes errors through and rejects bad arguments', async () => {
    await rt.blockOn(async () => {
      const t = new CancellationToken();
      const boom = new Error('boom');
      await expect(
        t.runUntilCancelled(async () => {
          await sleep(1);
          throw boom;
        }),
      ).rejects.toBe(boom);
      let err: unknown;
      try {
        void t.runUntilCancelled(42 as never);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(TypeError);
      expect((err as { code?: string }).code).toBe('ERR_INVALID_ARG_TYPE');
    });
  });
});
