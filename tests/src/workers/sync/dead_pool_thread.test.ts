import { afterEach, describe, expect, it } from 'vitest';
import { JoinError, Runtime, sleep, spawn, spawnBlocking } from '@skein/core';
import { SharedMutex, SharedSemaphore, WorkerCrashedError, sharedMpsc } from '@skein/workers';
import { captureLogs } from '../runtime/helpers.js';
import { holdAndExit, holdManyAndExit, keepSender, lockOnce } from './fixtures/pool_thread_tasks.js';

/** The warnings a dead thread's release logged. */
function deathWarnings(lines: Record<string, unknown>[]): string[] {
  return lines.filter((l) => l.level === 40 && String(l.msg).includes(' died: ')).map((l) => String(l.msg));
}

describe('a blocking-pool thread that dies releases what its jobs held', () => {
  let rt: Runtime | undefined;
  afterEach(async () => {
    await rt?.shutdown();
    rt = undefined;
  });

  it('process.exit() in a job holding a SharedMutex guard, SharedSemaphore permits, a queued acquire and a sharedMpsc sender; twice, on a thread and its replacement', async () => {
    const logs = captureLogs();
    rt = await Runtime.builder().currentThread().maxBlockingThreads(1).logger(logs.logger).build();
    const m = new SharedMutex(0);
    const sem = new SharedSemaphore(3);
    const partial = new SharedSemaphore(1);
    await rt.blockOn(async () => {
      for (const round of [1, 2]) {
        const [tx, rx] = sharedMpsc.channel<number>(4);
        const dying = spawnBlocking(holdAndExit, m, sem, partial, tx, round);
        tx.close(); // the job's copies are now the only senders
        expect(await rx.recv()).toBe(round);
        const err = await dying.then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(err).toBeInstanceOf(JoinError);
        expect((err as JoinError).cause).toBeInstanceOf(WorkerCrashedError);
        expect((err as JoinError).cause).toMatchObject({ worker: 'blocking', reason: 'exit' });
        // Each of these waits until the dead thread's holdings are given back.
        const stored = spawn(async () => {
          using g = await m.lock();
          return g.value;
        });
        expect(await stored).toBe(round); // what the holder stored stays
        using all = await sem.acquire(3);
        using one = await partial.acquire(1); // the dead waiter gave back the permit assigned to it
        expect(await rx.recv()).toBeUndefined(); // its senders were dropped: the channel ended
        void all;
        void one;
      }
    });
    expect(sem.availablePermits()).toBe(3);
    expect(partial.availablePermits()).toBe(1);
    expect(m.isLocked()).toBe(false);
    const warns = deathWarnings(logs.lines);
    // Exactly once per primitive and death, named as a pool thread's.
    expect(warns).toHaveLength(8);
    for (const w of warns) expect(w).toMatch(/^blocking-pool thread \d+ died: /);
    expect(warns.filter((w) => /released the 1 SharedMutex permit/.test(w))).toHaveLength(2);
    expect(warns.filter((w) => /released the 3 SharedSemaphore permit/.test(w))).toHaveLength(2);
    expect(
      warns.filter((w) => /released the 0 SharedSemaphore permit\(s\) its tasks held and dropped 1 waiter/.test(w)),
    ).toHaveLength(2);
    expect(warns.filter((w) => /dropped its \d sharedMpsc sender/.test(w))).toHaveLength(2);
  });

  it('a thread that idles out holding a sender clone drops it; one that held nothing logs nothing', async () => {
    const logs = captureLogs();
    rt = await Runtime.builder().currentThread().maxBlockingThreads(1).threadKeepAlive(20).logger(logs.logger).build();
    const m = new SharedMutex(0);
    const sem = new SharedSemaphore(1);
    await rt.blockOn(async () => {
      expect(await spawnBlocking(lockOnce, m, sem)).toBe(1);
      while (rt!.metrics().numBlockingThreads > 0) await sleep(10);
      expect(deathWarnings(logs.lines)).toEqual([]);

      const [tx, rx] = sharedMpsc.channel<number>(4);
      await spawnBlocking(keepSender, tx);
      tx.close();
      // Its thread exits idle, still holding the clone: the channel ends then.
      expect(await rx.recv()).toBeUndefined();
    });
    expect(deathWarnings(logs.lines)).toEqual([
      expect.stringMatching(/^blocking-pool thread \d+ died: dropped its 1 sharedMpsc sender\(s\)$/),
    ]);
  });

  it('a thread that holds more primitives than a ledger segment has room for (16 383) gives back every one', async () => {
    const logs = captureLogs();
    rt = await Runtime.builder().currentThread().maxBlockingThreads(1).logger(logs.logger).build();
    const sems = Array.from({ length: 17_000 }, () => new SharedSemaphore(1, { maxQueued: 1 }));
    await rt.blockOn(async () => {
      await expect(spawnBlocking(holdManyAndExit, sems)).rejects.toBeInstanceOf(JoinError);
    });
    expect(sems.filter((s) => s.availablePermits() !== 1)).toHaveLength(0);
    expect(deathWarnings(logs.lines)).toHaveLength(sems.length);
  });
});
