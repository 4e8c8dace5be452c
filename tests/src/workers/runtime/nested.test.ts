import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { threadId } from 'node:worker_threads';
import { Runtime } from '@skein/core';
import { fanOut, joinSetOfTasks, nestedIds, pfib } from './fixtures/nested.js';
import {
  channels,
  joinSetLocal,
  localClosure,
  mutexCounter,
  selectFirst,
  sleepThen,
  timeoutElapses,
  viaBlockingPool,
} from './fixtures/features.js';
import { multiThread } from './helpers.js';

function fib(n: number): number {
  return n < 2 ? n : fib(n - 1) + fib(n - 2);
}

describe('multi-thread runtime: tasks spawned from worker tasks', () => {
  let rt: Runtime;
  beforeAll(async () => {
    rt = await multiThread(2);
  });
  afterAll(async () => {
    await rt.shutdown();
  });

  it('computes a parallel fib with nested spawns', async () => {
    expect(await rt.spawn(pfib, 20, 10)).toBe(fib(20));
    expect(await rt.spawn(pfib, 25, 12)).toBe(fib(25));
  });

  it('joins handles across workers (worker → worker)', async () => {
    // CPU-bound children spawned on one worker: the idle sibling steals some of them, so
    // the parent awaits handles of tasks that ran on the other worker. (The first run may
    // be lopsided while the fixture module loads on the thief, so look at a few.)
    let crossed = false;
    for (let attempt = 0; attempt < 4 && !crossed; attempt++) {
      const { parent, children } = await rt.spawn(fanOut, 16, 10);
      expect(parent).not.toBe(threadId);
      expect(children).toHaveLength(16);
      crossed = children.some((t) => t !== parent);
    }
    expect(crossed).toBe(true);
  });

  it('keeps handle.id === currentTask().id for nested spawns', async () => {
    const [outer, handleId, inner] = await rt.spawn(nestedIds);
    expect(handleId).toBe(inner);
    expect(handleId).not.toBe(outer);
  });

  it('runs a JoinSet of nested task spawns', async () => {
    expect(await rt.spawn(joinSetOfTasks, 40)).toBe(40 * fib(10));
  });

  it('supports sleep, timeout, select and yieldNow inside worker tasks', async () => {
    expect(await rt.spawn(sleepThen, 20, 'v')).toBe('v:slept');
    expect(await rt.spawn(timeoutElapses)).toBe('elapsed');
    expect(await rt.spawn(selectFirst)).toEqual({ key: 'fast', loserCancelled: true });
  });

  it('supports JoinSet, Mutex and channels inside worker tasks', async () => {
    expect(await rt.spawn(joinSetLocal, 5)).toEqual([4, 3, 2, 1, 0]);
    expect(await rt.spawn(mutexCounter, 50)).toBe(50);
    expect(await rt.spawn(channels, 100)).toEqual({ sum: 5050, reply: 'pong' });
  });

  it("forwards spawnBlocking from a worker task to the runtime's blocking pool", async () => {
    expect(await rt.spawn(viaBlockingPool)).toEqual({
      product: 42,
      elsewhere: true,
      panic: 'RangeError: blocking boom',
    });
  });

  it('runs closures spawned inside a worker task on that worker', async () => {
    expect(await rt.spawn(localClosure)).toEqual({ same: true, idsDiffer: true });
  });
});

describe('multi-thread runtime: scheduler options', () => {
  it('works with the LIFO slot disabled and the shortest intervals', async () => {
    const rt = await Runtime.builder()
      .multiThread()
      .workerThreads(2)
      .logger('silent')
      .disableLifoSlot()
      .eventInterval(1)
      .globalQueueInterval(1)
      .build();
    try {
      expect(await rt.spawn(pfib, 18, 8)).toBe(fib(18));
      const { children } = await rt.spawn(fanOut, 8, 2);
      expect(children).toHaveLength(8);
    } finally {
      await rt.shutdown();
    }
  });
});
