import { describe, it, expect } from 'vitest';
import {
  Runtime,
  spawn,
  sleep,
  Instant,
  JoinError,
  currentTask,
  yieldNow,
  interval,
  timeout,
  Elapsed,
  select,
  JoinSet,
} from '@skein/core';

describe('smoke', () => {
  it('spawns and joins', async () => {
    const rt = await Runtime.builder().build();
    const v = await rt.blockOn(async () => {
      const h = spawn(async () => {
        await sleep(5);
        return 41 + 1;
      });
      const id = h.id;
      const inner = spawn(() => currentTask()!.id);
      expect(await inner).toBe(inner.id);
      return [await h, id];
    });
    expect(v[0]).toBe(42);
    const m = rt.metrics();
    expect(m.numAliveTasks).toBe(0);
    expect(m.spawnedTasksCount).toBe(2);
    expect(m.worker(0).pollCount).toBeGreaterThan(2);
    await rt.shutdown();
  });
  it('paused clock', async () => {
    const rt = await Runtime.builder().startPaused(true).build();
    await rt.blockOn(async () => {
      const t0 = Instant.now();
      await sleep(3_600_000);
      expect(Instant.now() - t0).toBe(3_600_000);
      const it = interval(10);
      expect(await it.tick()).toBe(t0 + 3_600_000);
      expect(await it.tick()).toBe(t0 + 3_600_010);
      await expect(timeout(5, () => sleep(10))).rejects.toBeInstanceOf(Elapsed);
      const r = await select({ a: () => sleep(10).then(() => 'a'), b: () => sleep(5).then(() => 'b') });
      expect(r).toEqual({ key: 'b', value: 'b' });
      const set = new JoinSet<number>();
      for (let i = 0; i < 5; i++)
        set.spawn(async () => {
          await sleep(50 - i * 10);
          return i;
        });
      expect(await set.joinAll()).toEqual([4, 3, 2, 1, 0]);
    });
    await rt.shutdown();
  });
  it('abort', async () => {
    const rt = await Runtime.builder().build();
    await rt.blockOn(async () => {
      let cleaned = false;
      const h = spawn(async () => {
        try {
          await sleep(100000);
        } finally {
          cleaned = true;
        }
      });
      await yieldNow();
      h.abort();
      const e = await h.then(
        () => null,
        (e) => e,
      );
      expect(e).toBeInstanceOf(JoinError);
      expect(e!.isCancelled()).toBe(true);
      await yieldNow();
      expect(cleaned).toBe(true);
    });
    await rt.shutdown();
  });
});
