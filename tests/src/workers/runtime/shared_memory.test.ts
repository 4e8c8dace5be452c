import { afterEach, describe, expect, it } from 'vitest';
import { Runtime } from '@skein/core';
import { SharedState } from '../../../../packages/workers/src/scheduler/shared_state.js';
import { assertWorkersFit } from '../../../../packages/workers/src/runtime/options.js';
import { sleepUntilAborted } from './fixtures/sleepers.js';
import { multiThread, sharedInts, waitFor } from './helpers.js';

const DEFAULTS = { mainSlots: 65536, workerSlots: 4096, arenaBytes: 16 << 20, taskTypes: 4096 };
const bytes = (workers: number): number => SharedState.bytesFor({ ...DEFAULTS, workers });

describe('shared memory of a multi-thread runtime', () => {
  const saved = { ...process.env };
  afterEach(() => {
    process.env = { ...saved };
  });

  it('grows linearly with the workers, under 1 MiB each', () => {
    const per64to128 = (bytes(128) - bytes(64)) / 64;
    const per1to16 = (bytes(16) - bytes(1)) / 15;
    expect(per64to128).toBeLessThanOrEqual(2 ** 20);
    expect(per1to16).toBeLessThanOrEqual(2 ** 20);
    // Linear: 1000 workers cost about 1000 times one, not a million.
    expect(bytes(1000) - bytes(1)).toBeLessThanOrEqual(999 * 2 ** 20);
  });

  it('rejects more workers than a runtime can have with a coded RangeError naming the limit', async () => {
    const err = await Runtime.builder()
      .multiThread()
      .workerThreads(1025)
      .logger('silent')
      .build()
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(err).toBeInstanceOf(RangeError);
    expect(err).toMatchObject({
      code: 'ERR_OUT_OF_RANGE',
      message: expect.stringMatching(/at most 1024 worker threads/),
    });
  });

  it('rejects a worker count whose memory the machine does not have, saying how many fit', () => {
    const ram = 4 * 2 ** 30;
    let err: unknown;
    try {
      assertWorkersFit({ ...DEFAULTS, workers: 1000 }, ram);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(RangeError);
    expect(err).toMatchObject({
      code: 'ERR_OUT_OF_RANGE',
      message: expect.stringMatching(/at most \d+ worker threads fit/),
    });
    const most = Number(/at most (\d+)/.exec((err as Error).message)![1]);
    expect(() => assertWorkersFit({ ...DEFAULTS, workers: most }, ram)).not.toThrow();
    expect(() => assertWorkersFit({ ...DEFAULTS, workers: most + 1 }, ram)).toThrow(RangeError);
  });

  it('rejects task slots the inject queue cannot hold with a coded RangeError', async () => {
    process.env.SKEIN_WORKER_TASK_SLOTS = String(1 << 20);
    const err = await Runtime.builder()
      .multiThread()
      .workerThreads(300)
      .logger('silent')
      .build()
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(err).toMatchObject({
      name: 'RangeError',
      code: 'ERR_OUT_OF_RANGE',
      message: expect.stringMatching(/below 2\^28/),
    });
  });

  it('aborts every running task even when the notices outnumber the worker mailbox', async () => {
    process.env.SKEIN_WORKER_TASK_SLOTS = '16'; // a 32-entry mailbox per worker
    const rt = await multiThread(1);
    try {
      const counts = sharedInts(2);
      const n = 200;
      const hs = Array.from({ length: n }, () => rt.spawn(sleepUntilAborted, counts.sab));
      await waitFor(() => Atomics.load(counts.words, 0) === n, 10_000, 'all started');
      for (const h of hs) h.abort();
      await waitFor(() => Atomics.load(counts.words, 1) === n, 10_000, 'every cleanup ran');
    } finally {
      await rt.shutdown();
    }
  });
});
