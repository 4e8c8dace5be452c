import { describe, expect, it } from 'vitest';
import { createHook } from 'node:async_hooks';
import { Cancelled, JoinError, Runtime, sleep, spawn } from '@skein/core';

describe('current-thread runtime: shutting down many sleeping tasks', () => {
  it('runs every cleanup before resolving; every handle is cancelled with its own task id', async () => {
    const rt = await Runtime.builder().currentThread().logger('silent').build();
    const n = 2000;
    let cleaned = 0;
    let sawCancelled = 0;
    const handles = rt.blockOn(async () => {
      const hs = Array.from({ length: n }, () =>
        spawn(async () => {
          try {
            await sleep(600_000);
          } catch (err) {
            if (err instanceof Cancelled) sawCancelled++;
            throw err;
          } finally {
            cleaned++;
          }
        }),
      );
      await sleep(1);
      return hs;
    });
    const hs = await handles;
    // One task is awaited by another task when shutdown begins; the rest by nobody.
    const watcher = rt.spawn(async () =>
      hs[0]!.then(
        () => 'value',
        (e: unknown) => e,
      ),
    );
    await rt.blockOn(() => sleep(1));
    const done = rt.shutdown();
    expect(hs.every((h) => h.isFinished())).toBe(true);
    await done;
    expect(cleaned).toBe(n);
    expect(sawCancelled).toBe(n);
    for (const h of hs) {
      const err = await h.then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(JoinError);
      expect((err as JoinError).isCancelled()).toBe(true);
      expect((err as JoinError).taskId).toBe(h.id);
      expect(
        await h.then(
          () => undefined,
          (e: unknown) => e,
        ),
      ).toBe(err); // one error per task
    }
    expect(watcher.isFinished()).toBe(true);
  });

  it('costs no promise per task (a million sleeping tasks shut down in seconds, not minutes)', async () => {
    const rt = await Runtime.builder().currentThread().logger('silent').build();
    const n = 5000;
    await rt.blockOn(async () => {
      for (let i = 0; i < n; i++) spawn(() => sleep(600_000));
      await sleep(1);
    });
    let promises = 0;
    const hook = createHook({
      init(_id, type) {
        if (type === 'PROMISE') promises++;
      },
    });
    hook.enable();
    try {
      await rt.shutdown();
    } finally {
      hook.disable();
    }
    expect(promises).toBeLessThan(n / 2);
  });
  it('shuts down 100k sleepers: every handle cancelled, every finally run, one Cancelled error for all', async () => {
    const rt = await Runtime.builder().currentThread().logger('silent').build();
    const n = 100_000;
    let cleaned = 0;
    const errors = new Set<unknown>();
    async function sleeper(): Promise<void> {
      try {
        await sleep(3_600_000);
      } catch (err) {
        errors.add(err);
        throw err;
      } finally {
        cleaned++;
      }
    }
    const hs = await rt.blockOn(async () => {
      const hs = Array.from({ length: n }, () => spawn(sleeper));
      await sleep(1);
      return hs;
    });
    await rt.shutdown();
    expect(cleaned).toBe(n);
    expect(errors.size).toBe(1);
    expect([...errors][0]).toBeInstanceOf(Cancelled);
    let cancelled = 0;
    for (const h of hs) {
      const err = await h.then(
        () => undefined,
        (e: unknown) => e,
      );
      if (err instanceof JoinError && err.isCancelled() && err.taskId === h.id) cancelled++;
    }
    expect(cancelled).toBe(n);
  });
});
