import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JoinError, Runtime, SendError, SerializationError } from '@skein/core';
import { sharedMpsc } from '@skein/workers';
import { exitThread } from './fixtures/dead_thread_tasks.js';
import {
  blockThread,
  exitWithReceiver,
  keepSenderClone,
  returnCloneLate,
  sendBoth,
  sendValue,
  sendValueOnce,
} from './fixtures/in_flight_tasks.js';
import { mainOnly } from './fixtures/main_only_tasks.js';
import { waitFor } from '../runtime/helpers.js';

/**
 * A handle passed to a task is a clone the task owns; these are the tasks that never get
 * to own it (or die owning it): the clone must still be dropped, exactly once.
 */
describe('a shared handle passed to a task that never runs, or dies, is dropped exactly once', () => {
  let rt: Runtime;
  beforeAll(async () => {
    rt = await Runtime.builder().multiThread().workerThreads(1).logger('silent').build();
  });
  afterAll(async () => {
    await rt.shutdown();
  });

  it('a spawn that throws SerializationError leaves every end as it was', async () => {
    const [tx, rx] = sharedMpsc.channel<string>(4);
    await rt.blockOn(async () => {
      expect(() => rt.spawn(sendValue, tx, (() => 'no') as unknown as string)).toThrow(SerializationError);
      expect(rx.senderCount()).toBe(1);
      // The receiver wasn't moved either: it still receives here.
      expect(() => rt.spawn(sendValue, rx as unknown as typeof tx, (() => 'no') as unknown as string)).toThrow(
        SerializationError,
      );
      tx.trySend('kept');
      expect(rx.tryRecv()).toBe('kept');
      tx.close();
      expect(await rx.recv()).toBeUndefined();
    });
  });

  it('a task aborted while queued drops the sender it carried', async () => {
    const [tx, rx] = sharedMpsc.channel<string>(4);
    const flag = new Int32Array(new SharedArrayBuffer(8));
    await rt.blockOn(async () => {
      await rt.spawn(sendValue, tx, 'warm'); // its definition is known from now on: the next spawn queues a slot
      expect(await rx.recv()).toBe('warm');
      const blocker = rt.spawn(blockThread, flag);
      await waitFor(() => Atomics.load(flag, 1) === 1, 30_000, 'the worker is blocked');
      const queued = rt.spawn(sendValue, tx, 'never');
      queued.abort();
      tx.close();
      Atomics.store(flag, 0, 1);
      Atomics.notify(flag, 0);
      await blocker;
      await expect(queued).rejects.toSatisfy((e: JoinError) => e.isCancelled());
      expect(await rx.recv()).toBeUndefined();
    });
  });

  it('a spawn aborted while it waits for its task definition (no slot yet) drops the sender it carried', async () => {
    const [tx, rx] = sharedMpsc.channel<string>(4);
    await rt.blockOn(async () => {
      const waiting = rt.spawn(sendValueOnce, tx, 'never');
      waiting.abort();
      tx.close();
      await expect(waiting).rejects.toSatisfy((e: JoinError) => e.isCancelled());
      expect(await rx.recv()).toBeUndefined();
    });
  });

  it('a task whose module fails to load on the worker drops the sender it carried', async () => {
    const [tx, rx] = sharedMpsc.channel<string>(4);
    await rt.blockOn(async () => {
      const failing = rt.spawn(mainOnly, tx, 'never');
      tx.close();
      await expect(failing).rejects.toBeInstanceOf(JoinError);
      expect(await rx.recv()).toBeUndefined();
    });
  });

  it('arguments decoded twice (one was still on its way) count their handles once: a later death drops no live sender', async () => {
    const [txA, rxA] = sharedMpsc.channel<string>(4);
    await rt.blockOn(async () => {
      await rt.spawn(sendValue, txA, 'warm'); // A's buffer is known on the worker from now on
      expect(await rxA.recv()).toBe('warm');
      // Usually, not always, the decode runs before B's buffer has arrived: a few rounds.
      for (let round = 0; round < 4; round++) {
        const flag = new Int32Array(new SharedArrayBuffer(8));
        const blocker = rt.spawn(blockThread, flag);
        await waitFor(() => Atomics.load(flag, 1) === 1, 30_000, 'the worker is blocked');
        // B's buffer reaches the worker through its event loop, after it has tried to decode.
        const [txB, rxB] = sharedMpsc.channel<string>(4);
        const both = rt.spawn(sendBoth, txA, txB);
        txB.close();
        Atomics.store(flag, 0, 1);
        Atomics.notify(flag, 0);
        await blocker;
        await both;
        expect(await rxA.recv()).toBe('a');
        expect(await rxB.recv()).toBe('b');
        expect(await rxB.recv()).toBeUndefined();
      }
      await expect(rt.spawn(exitThread)).rejects.toBeInstanceOf(JoinError);
      expect(rxA.senderCount()).toBe(1); // this thread's txA: the dead worker owned none
      txA.trySend('open');
      expect(rxA.tryRecv()).toBe('open');
    });
  });

  it('the copy of a sender returned by a task whose handle was aborted meanwhile is dropped', async () => {
    const [tx, rx] = sharedMpsc.channel<string>(4);
    const flag = new Int32Array(new SharedArrayBuffer(8));
    await rt.blockOn(async () => {
      const late = rt.spawn(returnCloneLate, tx, flag);
      await waitFor(() => Atomics.load(flag, 1) === 1, 30_000, 'the task runs');
      late.abort();
      tx.close();
      Atomics.store(flag, 0, 1);
      Atomics.notify(flag, 0);
      await expect(late).rejects.toSatisfy((e: JoinError) => e.isCancelled());
      // A result crosses as a copy: the worker's own stays with it until it dies.
      await expect(rt.spawn(exitThread)).rejects.toBeInstanceOf(JoinError);
      expect(await rx.recv()).toBeUndefined();
    });
  });

  it('a worker that exits in a task holding the receiver it was passed closes the channel', async () => {
    const [tx, rx] = sharedMpsc.channel<number>(1);
    await rt.blockOn(async () => {
      await expect(rt.spawn(exitWithReceiver, rx)).rejects.toBeInstanceOf(JoinError);
      await tx.closed();
      await expect(tx.send(1)).rejects.toBeInstanceOf(SendError);
    });
  });
});

describe('shutdown drops what its threads and queued tasks held', () => {
  it('a task still queued when shutdown terminates its worker never runs: the sender it carried is dropped', async () => {
    const rt = await Runtime.builder().multiThread().workerThreads(1).logger('silent').build();
    const [tx, rx] = sharedMpsc.channel<string>(4);
    const flag = new Int32Array(new SharedArrayBuffer(8));
    await rt.blockOn(async () => {
      await rt.spawn(sendValue, tx, 'warm');
      expect(await rx.recv()).toBe('warm');
      void rt.spawn(blockThread, flag).catch(() => undefined);
      await waitFor(() => Atomics.load(flag, 1) === 1, 30_000, 'the worker is blocked');
      void rt.spawn(sendValue, tx, 'never').catch(() => undefined);
      tx.close();
    });
    // The worker stays blocked: the grace period ends and it is terminated unrun.
    await rt.shutdownTimeout(200);
    Atomics.store(flag, 0, 1);
    expect(await rx.recv()).toBeUndefined();
  });

  it('a clone a worker kept beyond its task is dropped when the runtime shuts down', async () => {
    const rt = await Runtime.builder().multiThread().workerThreads(1).logger('silent').build();
    const [tx, rx] = sharedMpsc.channel<string>(4);
    await rt.blockOn(() => rt.spawn(keepSenderClone, tx));
    tx.close();
    expect(rx.senderCount()).toBe(1);
    await rt.shutdown();
    expect(await rx.recv()).toBeUndefined();
  });
});
