import { afterEach, describe, expect, it } from 'vitest';
import { JoinError, RecvError, Runtime, TryRecvError } from '@skein/core';
import { SharedBarrier, SharedMutex, SharedSemaphore, sharedMpsc, sharedWatch } from '@skein/workers';
import { captureLogs } from '../runtime/helpers.js';
import {
  arriveAndDie,
  exitThread,
  holdManyAndDie,
  keepChannelEnds,
  touchThenLastDies,
} from './fixtures/dead_thread_tasks.js';
import { holdAndDie } from './fixtures/lock_tasks.js';

describe('a worker thread that dies releases what its tasks held', () => {
  let rt: Runtime | undefined;
  afterEach(async () => {
    await rt?.shutdown();
    rt = undefined;
  });

  it('process.exit() while holding a SharedMutex guard, a SharedSemaphore permit, a queued acquire and a sharedMpsc sender', async () => {
    const logs = captureLogs();
    rt = await Runtime.builder().multiThread().workerThreads(1).logger(logs.logger).build();
    const m = new SharedMutex(0);
    const sem = new SharedSemaphore(1);
    const partial = new SharedSemaphore(1);
    const [tx, rx] = sharedMpsc.channel<string>(4);
    const flag = new Int32Array(new SharedArrayBuffer(4));
    await rt.blockOn(async () => {
      const dying = rt!.spawn(holdAndDie, m, sem, partial, tx, flag);
      tx.close(); // the task's copy is now the only sender
      expect(await rx.recv()).toBe('last words');
      // The worker holds everything now; each of these waits until it dies.
      const guard = await m.lock();
      expect(guard.value).toBe(1); // what the dead holder stored stays
      guard.release();
      using p = await sem.acquire(1);
      using q = await partial.acquire(1); // its queued acquire gave back the permit assigned to it
      expect(await rx.recv()).toBeUndefined(); // its sender was dropped: the channel ended
      await expect(dying).rejects.toBeInstanceOf(JoinError);
      void p;
      void q;
    });
    expect(Atomics.load(flag, 0)).toBe(1);
    const warns = logs.lines.filter((l) => l.level === 40 && String(l.msg).includes('died'));
    expect(warns).toHaveLength(4);
    expect(warns.map((l) => String(l.msg))).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/released the 0 SharedSemaphore permit\(s\) its tasks held and dropped 1 waiter/),
        expect.stringMatching(/released the 1 SharedMutex permit/),
        expect.stringMatching(/released the 1 SharedSemaphore permit/),
        expect.stringMatching(/dropped its 1 sharedMpsc sender/),
      ]),
    );
    expect(partial.availablePermits()).toBe(1);
    expect(m.isLocked()).toBe(false);
  });

  it('process.exit() while holding ends of sharedOneshot, sharedWatch and sharedBroadcast channels', async () => {
    const logs = captureLogs();
    rt = await Runtime.builder().multiThread().workerThreads(1).logger(logs.logger).build();
    await rt.blockOn(async () => {
      const [mainWatchTx, mainWatchRx] = sharedWatch.channel(0);
      const back = await rt!.spawn(keepChannelEnds, mainWatchRx);
      mainWatchRx.close(); // the worker's clone is now the only receiver
      expect(() => back.oneshotRx.tryRecv()).toThrow(TryRecvError); // empty: its sender lives
      await expect(rt!.spawn(exitThread)).rejects.toBeInstanceOf(JoinError);
      // Each of these waits until the dead worker's ends are dropped.
      await expect(back.oneshotRx).rejects.toThrow(RecvError);
      await back.oneshotTx.closed();
      await expect(back.watchRx.changed()).rejects.toThrow(RecvError);
      await expect(back.broadcastRx.recv()).rejects.toThrow(RecvError);
      await mainWatchTx.closed();
      expect(mainWatchTx.receiverCount()).toBe(0);
    });
    const warns = logs.lines.filter((l) => l.level === 40 && String(l.msg).includes('died'));
    // The worker's own copies of the receivers it returned (a result crosses as a clone) count too.
    expect(warns.map((l) => String(l.msg))).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/dropped its sharedOneshot sender \(the receiver sees the channel closed\)$/),
        expect.stringMatching(/closed its sharedOneshot receiver$/),
        expect.stringMatching(/dropped its sharedWatch sender and closed its 1 sharedWatch receiver\(s\)$/),
        expect.stringMatching(/: closed its 1 sharedWatch receiver\(s\)$/),
        expect.stringMatching(/dropped its 2 sharedBroadcast sender\(s\) and 1 receiver\(s\)$/),
      ]),
    );
    expect(warns).toHaveLength(5);
  });

  it('tracks what a thread holds whatever the thread count: the 34th thread to use a lock, a semaphore and a channel dies holding them', async () => {
    const threads = 34; // more than a primitive has doorbells for (32); each worker takes ~1 s to boot here
    const logs = captureLogs();
    rt = await Runtime.builder().multiThread().workerThreads(threads).logger(logs.logger).build();
    const m = new SharedMutex();
    const sem = new SharedSemaphore(2);
    const [tx, rx] = sharedMpsc.channel<number>(4);
    const arrivals = new Int32Array(new SharedArrayBuffer(4 * (1 + threads)));
    await rt.blockOn(async () => {
      const runs = Array.from({ length: threads }, () => rt!.spawn(touchThenLastDies, m, sem, tx, arrivals, threads));
      tx.close();
      const outcomes = await Promise.allSettled(runs);
      expect(new Set(arrivals.subarray(1)).size).toBe(threads); // each on a thread of its own
      expect(outcomes.filter((o) => o.status === 'rejected')).toHaveLength(1);
      // Each of these waits until the dead thread's holdings are given back.
      (await m.lock()).release();
      using both = await sem.acquire(2);
      expect(await rx.recv()).toBeUndefined();
      void both;
    });
    const warns = logs.lines.filter((l) => l.level === 40 && String(l.msg).includes('died')).map((l) => String(l.msg));
    expect(warns).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/released the 1 SharedMutex permit/),
        expect.stringMatching(/released the 1 SharedSemaphore permit/),
        expect.stringMatching(/dropped its 1 sharedMpsc sender/),
      ]),
    );
  }, 300_000);

  it('a worker that holds more primitives than a ledger segment has room for (16 383) gives back every one', async () => {
    const logs = captureLogs();
    rt = await Runtime.builder().multiThread().workerThreads(1).logger(logs.logger).build();
    const sems = Array.from({ length: 17_000 }, () => new SharedSemaphore(1, { maxQueued: 1 }));
    await rt.blockOn(async () => {
      await expect(rt!.spawn(holdManyAndDie, sems)).rejects.toBeInstanceOf(JoinError);
    });
    expect(sems.filter((s) => s.availablePermits() !== 1)).toHaveLength(0);
  });

  it("a SharedBarrier keeps a dead waiter's arrival (Tokio: an arrival counts even if its waiter goes away)", async () => {
    rt = await Runtime.builder().multiThread().workerThreads(1).logger('silent').build();
    const barrier = new SharedBarrier(2);
    await rt.blockOn(async () => {
      await expect(rt!.spawn(arriveAndDie, barrier)).rejects.toBeInstanceOf(JoinError);
      expect((await barrier.wait()).isLeader).toBe(true);
      expect(barrier.generation).toBe(1);
    });
  });
});
