import { describe, expect, it } from 'vitest';
import { type JoinError, type JoinHandle, Runtime, spawnBlocking } from '@skein/core';
import { SharedMutex, SharedSemaphore, type SharedSender, WorkerCrashedError, sharedMpsc } from '@skein/workers';
import { exitsOnImport } from './fixtures/exit_on_import_tasks.js';
import { mainOnly } from './fixtures/main_only_tasks.js';
import { keepSender, lockOnce, sendOnce } from './fixtures/pool_thread_tasks.js';

/**
 * A handle passed to a blocking job is a clone the job owns; these are the jobs that never
 * get to own it: the clone must still be dropped, exactly once, or a receiver waits forever.
 */
describe('a shared handle passed to a blocking job that never runs is dropped', () => {
  /** A runtime whose one pool thread is busy until the returned guard is released. */
  async function busyPool(): Promise<{ rt: Runtime; guard: { release(): void }; busy: Promise<unknown> }> {
    const rt = await Runtime.builder().currentThread().maxBlockingThreads(1).logger('silent').build();
    const m = new SharedMutex(0);
    const guard = await rt.blockOn(() => m.lock());
    // Wrapped: an async function returning the handle itself would wait for the job.
    const { busy } = await rt.blockOn(async () => ({ busy: spawnBlocking(lockOnce, m, new SharedSemaphore(1)) }));
    busy.catch(() => undefined); // cancelled if shutdown comes first
    return { rt, guard, busy };
  }

  it('a job aborted while queued behind a busy thread', async () => {
    const { rt, guard, busy } = await busyPool();
    try {
      const [tx, rx] = sharedMpsc.channel<number>(4);
      await rt.blockOn(async () => {
        const queued = spawnBlocking(keepSender, tx);
        queued.abort();
        tx.close();
        await expect(queued).rejects.toSatisfy((e: JoinError) => e.isCancelled());
        expect(await rx.recv()).toBeUndefined();
      });
    } finally {
      guard.release();
      await busy;
      await rt.shutdown();
    }
  });

  /**
   * On a fresh runtime: `start` spawns a job carrying `tx`, which is then closed; the job
   * must fail as `failed` says, and the receiver end.
   */
  async function expectDropped(
    start: (tx: SharedSender<string>) => JoinHandle<unknown>,
    failed: (e: JoinError) => boolean,
  ): Promise<void> {
    const rt = await Runtime.builder().currentThread().logger('silent').build();
    try {
      const [tx, rx] = sharedMpsc.channel<string>(4);
      await rt.blockOn(async () => {
        const job = start(tx);
        tx.close();
        await expect(job).rejects.toSatisfy(failed);
        expect(await rx.recv()).toBeUndefined();
      });
    } finally {
      await rt.shutdown();
    }
  }

  it('a job aborted while its export name is still being looked up', async () => {
    await expectDropped(
      (tx) => {
        const waiting = spawnBlocking(sendOnce, tx, 'never');
        waiting.abort();
        return waiting;
      },
      (e) => e.isCancelled(),
    );
  });

  it('a job whose module fails to load on the pool thread', async () => {
    await expectDropped(
      (tx) => spawnBlocking(mainOnly, tx, 'never'),
      (e) => e.isPanic(),
    );
  });

  it('a job whose thread dies loading its module, before the job starts', async () => {
    await expectDropped(
      (tx) => spawnBlocking(exitsOnImport, tx, 'never'),
      (e) => e.cause instanceof WorkerCrashedError,
    );
  });

  it('a job still queued at shutdown', async () => {
    const { rt, guard } = await busyPool();
    const [tx, rx] = sharedMpsc.channel<number>(4);
    await rt.blockOn(async () => void spawnBlocking(keepSender, tx).catch(() => undefined));
    tx.close();
    const down = rt.shutdownTimeout(50);
    guard.release();
    await down;
    expect(await rx.recv()).toBeUndefined();
  });
});
