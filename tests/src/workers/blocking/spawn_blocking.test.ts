import { describe, expect, it } from 'vitest';
import { JoinError, NotSendableError, Runtime, SerializationError, sleep, spawn, spawnBlocking } from '@skein/core';
import { getPriority } from 'node:os';
import { WorkerCrashedError } from '@skein/workers';
import { double, exitThread, explode, forever, gated, ownNice, sleepSync, sumTo } from './fixtures/blocking_tasks.js';
import { captureLogs } from '../runtime/helpers.js';

async function withRuntime<T>(f: (rt: Runtime) => Promise<T>, build = Runtime.builder()): Promise<T> {
  const rt = await build.logger('silent').build();
  try {
    return await rt.blockOn(() => f(rt));
  } finally {
    await rt.shutdownTimeout(2000);
  }
}

describe('spawnBlocking on the runtime (piscina pool)', () => {
  it('runs a TypeScript task module on a pool thread and returns its value', async () => {
    await withRuntime(async () => {
      expect(await spawnBlocking(sumTo, 1000)).toBe(500500);
    });
  });

  it('rejects closures with NotSendableError that shows how to define a task', async () => {
    await withRuntime(async () => {
      expect(() => spawnBlocking((() => 1) as never)).toThrow(NotSendableError);
      try {
        spawnBlocking((() => 1) as never);
      } catch (err) {
        expect((err as NotSendableError).code).toBe('ERR_SKEIN_NOT_SENDABLE');
        expect((err as Error).message).toContain('task(import.meta');
      }
    });
  });

  it('counts a spawn in the queue depth while its export name is still being looked up', async () => {
    await withRuntime(async (rt) => {
      expect(double.exportName).toBeUndefined();
      const hs = [spawnBlocking(double, 1), spawnBlocking(double, 2)];
      // Nothing can have run yet: the first spawns of a definition wait for its export name.
      expect(rt.metrics().blockingQueueDepth).toBe(2);
      hs[1]!.abort();
      expect(rt.metrics().blockingQueueDepth).toBe(1);
      expect(await hs[0]).toBe(2);
      await expect(hs[1]).rejects.toSatisfy((e: unknown) => e instanceof JoinError && e.isCancelled());
      expect(rt.metrics().blockingQueueDepth).toBe(0);
    });
  });

  it('throws SerializationError at spawn for arguments that cannot be cloned', async () => {
    await withRuntime(async (rt) => {
      expect(() => spawnBlocking(sumTo, (() => 3) as never)).toThrow(SerializationError);
      expect(rt.metrics().blockingQueueDepth).toBe(0);
    });
  });

  it.runIf(process.platform === 'linux')('runs pool threads 10 nice levels below the event loop', async () => {
    await withRuntime(async () => {
      expect(await spawnBlocking(ownNice)).toBe(Math.min(19, getPriority() + 10));
    });
  });

  it('reports a thrown error as a panic with the original message', async () => {
    await withRuntime(async () => {
      const err = await spawnBlocking(explode, 'kaboom').then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(JoinError);
      expect((err as JoinError).isPanic()).toBe(true);
      expect(((err as JoinError).cause as Error).message).toBe('kaboom');
    });
  });

  it('a pool thread that dies fails its job with WorkerCrashedError, and logs it', async () => {
    const logs = captureLogs();
    const rt = await Runtime.builder().logger(logs.logger).build();
    try {
      const err = await rt.spawnBlocking(exitThread, 5).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(JoinError);
      expect((err as JoinError).isPanic()).toBe(true);
      const cause = (err as JoinError).cause as WorkerCrashedError;
      expect(cause).toBeInstanceOf(WorkerCrashedError);
      expect(cause).toMatchObject({
        code: 'ERR_SKEIN_WORKER_CRASHED',
        worker: 'blocking',
        reason: 'exit',
        exitCode: 5,
      });
      expect(logs.lines.find((l) => String(l.msg).includes('crashed'))).toMatchObject({
        level: 50,
        reason: 'exit',
        exitCode: 5,
      });
      expect(await rt.spawnBlocking(sumTo, 3)).toBe(6); // a new thread runs the next job
    } finally {
      await rt.shutdown();
    }
  });

  it('does not stall core tasks or the event loop while blocking work sleeps synchronously', async () => {
    await withRuntime(async () => {
      let ticks = 0;
      const ticker = setInterval(() => ticks++, 10);
      let coreLoops = 0;
      const core = spawn(async () => {
        for (;;) {
          await sleep(10);
          coreLoops++;
        }
      });
      await spawnBlocking(sleepSync, 400);
      clearInterval(ticker);
      core.abort();
      expect(ticks).toBeGreaterThanOrEqual(10);
      expect(coreLoops).toBeGreaterThanOrEqual(10);
    });
  });

  it('grows lazily up to maxBlockingThreads, shows its queue depth, and shrinks after keep-alive', async () => {
    await withRuntime(async (rt) => {
      const m = rt.metrics();
      expect(m.numBlockingThreads).toBe(0);
      const hs = [0, 1, 2, 3].map(() => spawnBlocking(sleepSync, 1000));
      // Threads start lazily (slowly from TypeScript sources): wait until two have claimed a job.
      const started = Date.now() + 5000;
      while (m.blockingQueueDepth !== 2 && Date.now() < started) await sleep(20);
      expect(m.blockingQueueDepth).toBe(2);
      expect(m.numBlockingThreads).toBeLessThanOrEqual(2);
      const ids = await Promise.all(hs);
      expect(new Set(ids).size).toBeLessThanOrEqual(2);
      // One thread may already have idled out (200 ms keep-alive) while the other finished.
      expect(m.numBlockingThreads).toBeGreaterThanOrEqual(1);
      expect(m.numBlockingThreads).toBeLessThanOrEqual(2);
      expect(m.blockingQueueDepth).toBe(0);
      const deadline = Date.now() + 5000;
      while (m.numBlockingThreads > 0 && Date.now() < deadline) await sleep(50);
      expect(m.numBlockingThreads).toBe(0);
      expect(m.numIdleBlockingThreads).toBe(0);
    }, Runtime.builder().maxBlockingThreads(2).threadKeepAlive(200));
  });

  it('abort removes a queued job (it never runs) and discards a running one', async () => {
    await withRuntime(async () => {
      const running = new Int32Array(new SharedArrayBuffer(12));
      const queued = new Int32Array(new SharedArrayBuffer(12));
      const h1 = spawnBlocking(gated, running);
      const h2 = spawnBlocking(gated, queued);
      while (Atomics.load(running, 0) === 0) await sleep(5);
      h2.abort();
      h1.abort();
      const e1 = await h1.then(
        () => undefined,
        (e: JoinError) => e,
      );
      const e2 = await h2.then(
        () => undefined,
        (e: JoinError) => e,
      );
      expect(e1?.isCancelled()).toBe(true);
      expect(e2?.isCancelled()).toBe(true);
      expect(Atomics.load(running, 2)).toBe(0);
      Atomics.store(running, 1, 1);
      Atomics.notify(running, 1);
      while (Atomics.load(running, 2) === 0) await sleep(5);
      await sleep(100);
      expect(Atomics.load(queued, 0)).toBe(0);
    }, Runtime.builder().maxBlockingThreads(1));
  });

  it('shutdownTimeout stops waiting for blocking work that never ends', async () => {
    const rt = await Runtime.builder().logger('silent').build();
    const h = rt.spawnBlocking(forever);
    const flags = new Int32Array(new SharedArrayBuffer(12));
    await rt.blockOn(async () => {
      const g = spawnBlocking(gated, flags);
      while (Atomics.load(flags, 0) === 0) await sleep(5);
      g.abort();
    });
    // `forever` never returns: without the timeout this would hang until the test's timeout.
    await rt.shutdownTimeout(300);
    expect(h.isFinished()).toBe(true);
  });

  it('shutdownBackground returns at once', async () => {
    const rt = await Runtime.builder().logger('silent').build();
    rt.spawnBlocking(forever);
    // Synchronous: it returns nothing to wait for, with a blocking job still running.
    expect(rt.shutdownBackground()).toBeUndefined();
  });
});
