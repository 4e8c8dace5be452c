import { describe, expect, it } from 'vitest';
import { Runtime, spawn, spawnBlocking } from '@skein/core';
import { SharedMutex, SharedSemaphore, sharedMpsc } from '@skein/workers';
import { blockingBump, bump } from './fixtures/lock_tasks.js';
import {
  blockingProduce,
  blockingSendAndReturn,
  produceViaBlocking,
  returnedViaBlocking,
} from './fixtures/channel_tasks.js';

describe('shared primitives on blocking-pool threads (blocking forms)', () => {
  it('blockingLock / blockingAcquire on pool threads share the lock with worker tasks', async () => {
    const rt = await Runtime.builder().multiThread().workerThreads(2).maxBlockingThreads(2).logger('silent').build();
    try {
      const m = new SharedMutex(0);
      const sem = new SharedSemaphore(1);
      const inside = new Int32Array(new SharedArrayBuffer(8));
      const n = await rt.blockOn(async () => {
        const hs = [
          spawnBlocking(blockingBump, m, sem, 200),
          spawnBlocking(blockingBump, m, sem, 200),
          spawn(bump, m, 200, inside),
        ];
        let total = 0;
        for (const h of hs) total += await h;
        return total;
      });
      expect(n).toBe(600);
      expect(m.tryLock().value).toBe(600);
      expect(sem.availablePermits()).toBe(1);
    } finally {
      await rt.shutdown();
    }
  });

  it('blockingSend from pool threads; the receiver ends once the jobs drop their senders', async () => {
    const rt = await Runtime.builder().currentThread().maxBlockingThreads(2).logger('silent').build();
    try {
      const [tx, rx] = sharedMpsc.channel<number>(8);
      const sum = await rt.blockOn(async () => {
        spawnBlocking(blockingProduce, tx, 500);
        spawnBlocking(blockingProduce, tx, 500);
        tx.close();
        let s = 0;
        for await (const v of rx) s += v;
        return s;
      });
      expect(sum).toBe((2 * (499 * 500)) / 2);
    } finally {
      await rt.shutdown();
    }
  });
});

describe('shared primitives handed to the blocking pool by a worker task', () => {
  it('a sender passed to spawnBlocking from a worker, alone or nested, arrives whole and counts as a copy', async () => {
    const rt = await Runtime.builder().multiThread().workerThreads(2).maxBlockingThreads(2).logger('silent').build();
    try {
      const [tx, rx] = sharedMpsc.channel<number>(8);
      const { sum, jobs } = await rt.blockOn(async () => {
        const h = spawn(produceViaBlocking, tx, 300);
        tx.close();
        let s = 0;
        for await (const v of rx) s += v; // ends once the worker's and both jobs' copies are gone
        return { sum: s, jobs: await h };
      });
      expect(jobs).toBe(301);
      expect(sum).toBe((299 * 300) / 2 + 1000);
    } finally {
      await rt.shutdown();
    }
  });
});

describe('shared handles returned by blocking jobs', () => {
  it('a sender returned to the main thread, or to a worker task, arrives whole and counts as a copy', async () => {
    const rt = await Runtime.builder().multiThread().workerThreads(2).maxBlockingThreads(2).logger('silent').build();
    try {
      const got = await rt.blockOn(async () => {
        const [tx, rx] = sharedMpsc.channel<number>(8);
        const back = await spawnBlocking(blockingSendAndReturn, tx);
        tx.close(); // the returned copy keeps the channel open
        await back.send(2);
        back.close();
        const [tx2, rx2] = sharedMpsc.channel<number>(8);
        const fromWorker = spawn(returnedViaBlocking, tx2);
        tx2.close();
        const out: number[][] = [[], []];
        for await (const v of rx) out[0]!.push(v);
        for await (const v of rx2) out[1]!.push(v);
        expect(await fromWorker).toBe(true);
        return out;
      });
      expect(got).toEqual([
        [1, 2],
        [1, 2],
      ]);
    } finally {
      await rt.shutdown();
    }
  });
});
