import { describe, expect, it } from 'vitest';
import { JoinError, Runtime } from '@skein/core';
import { cpuBound, holdUntilReleased, markRan, spawnThenHold, spinMicrotasks } from './fixtures/shutdown.js';
import { awaitsForever } from '../blocking/fixtures/blocking_tasks.js';
import { captureLogs, sharedInts, waitFor } from './helpers.js';

function isCancelled(e: unknown): boolean {
  return e instanceof JoinError && e.isCancelled();
}

describe('multi-thread runtime: shutdown settles every handle at once and never hangs', () => {
  it('a CPU-bound task: its handle is cancelled when shutdown begins, its thread is terminated after the grace period', async () => {
    const logs = captureLogs();
    const rt = await Runtime.builder()
      .multiThread()
      .workerThreads(1)
      .shutdownGracePeriod(200)
      .logger(logs.logger)
      .build();
    const flags = sharedInts(4);
    const h = rt.spawn(cpuBound, flags.sab, 60_000);
    await waitFor(() => Atomics.load(flags.words, 0) === 1, 10_000, 'task running');
    const done = rt.shutdown();
    expect(h.isFinished()).toBe(true);
    await expect(h).rejects.toSatisfy(isCancelled);
    await done;
    const busy = logs.lines.find((l) => String(l.msg).includes('still busy'));
    expect(busy).toMatchObject({ level: 40, worker: 0, graceMs: 200 });
    expect(String(busy?.msg)).toContain('cpuBound');
  });

  it('a task queued behind a busy worker never starts once shutdown has begun', async () => {
    const rt = await Runtime.builder().multiThread().workerThreads(1).logger('silent').build();
    const flags = sharedInts(4);
    const first = rt.spawn(holdUntilReleased, flags.sab);
    await waitFor(() => Atomics.load(flags.words, 0) === 1, 10_000, 'first task running');
    const queued = rt.spawn(markRan, flags.sab);
    const done = rt.shutdown();
    await waitFor(() => queued.isFinished(), 10_000, 'queued handle cancelled');
    // The worker goes on from where the first task held it, before its stop message.
    Atomics.store(flags.words, 1, 1);
    await done;
    await expect(queued).rejects.toSatisfy(isCancelled);
    await expect(first).rejects.toSatisfy(isCancelled);
    expect(Atomics.load(flags.words, 2)).toBe(0);
  });

  it("a task's child queued on its busy worker never starts once shutdown has begun", async () => {
    const rt = await Runtime.builder().multiThread().workerThreads(1).logger('silent').build();
    const flags = sharedInts(4);
    const parent = rt.spawn(spawnThenHold, flags.sab);
    await waitFor(() => Atomics.load(flags.words, 0) === 1, 10_000, 'parent running');
    const done = rt.shutdown();
    await waitFor(() => parent.isFinished(), 10_000, 'parent handle cancelled');
    Atomics.store(flags.words, 1, 1);
    await done;
    expect(Atomics.load(flags.words, 2)).toBe(0);
  });

  it('tasks spinning on microtasks on every worker: shutdown resolves, handles are cancelled', async () => {
    const logs = captureLogs();
    const rt = await Runtime.builder()
      .multiThread()
      .workerThreads(2)
      .shutdownGracePeriod(100)
      .logger(logs.logger)
      .build();
    const flags = [sharedInts(4), sharedInts(4)];
    const hs = flags.map((f) => rt.spawn(spinMicrotasks, f.sab));
    await waitFor(() => flags.every((f) => Atomics.load(f.words, 0) === 1), 10_000, 'both spinning');
    const done = rt.shutdown();
    expect(hs.every((h) => h.isFinished())).toBe(true);
    await done;
    for (const h of hs) await expect(h).rejects.toSatisfy(isCancelled);
    // (A worker that is merely slow to answer on a loaded machine may be logged too.)
    const named = logs.lines
      .filter((l) => String(l.msg).includes('still busy'))
      .flatMap((l) => l.tasks as { name: string }[]);
    expect(named.filter((t) => t.name === 'spinMicrotasks').length).toBe(2);
  });

  it('a blocking job awaiting a promise that never settles: cancelled at once, its thread terminated after the grace period', async () => {
    const logs = captureLogs();
    const rt = await Runtime.builder()
      .multiThread()
      .workerThreads(1)
      .shutdownGracePeriod(100)
      .logger(logs.logger)
      .build();
    const flags = new Int32Array(new SharedArrayBuffer(8));
    const h = rt.spawnBlocking(awaitsForever, flags);
    await waitFor(() => Atomics.load(flags, 0) === 1, 10_000, 'job running');
    const done = rt.shutdown();
    expect(h.isFinished()).toBe(true);
    await expect(h).rejects.toSatisfy(isCancelled);
    await done;
    const line = logs.lines.find((l) => String(l.msg).includes('blocking jobs still running'));
    expect(line).toMatchObject({ level: 40, graceMs: 100 });
    expect(String(line?.msg)).toContain('awaitsForever');
  });

  it('shutdownGracePeriod validates its argument', () => {
    expect(() => Runtime.builder().shutdownGracePeriod(-1)).toThrow(RangeError);
    expect(() => Runtime.builder().shutdownGracePeriod('1' as never)).toThrow(TypeError);
  });
});
