import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Handle, JoinError, NoRuntimeError, SkeinError, type Runtime } from '@skein/core';
import { NestedRuntimeError } from '@skein/workers';
import {
  handleAfterShutdown,
  handleArgErrors,
  handleBlockOn,
  handleBlockOnPanics,
  handleMetrics,
  handleSpawns,
} from './fixtures/handle.js';
import { multiThread, sharedInts, waitFor } from './helpers.js';

describe('multi-thread runtime: Handle.current() in worker tasks', () => {
  let rt: Runtime;
  beforeAll(async () => {
    rt = await multiThread(2);
  });
  afterAll(async () => {
    await rt.shutdown();
  });

  it('is a multi_thread handle that spawns task definitions, closures and blocking jobs', async () => {
    const r = await rt.spawn(handleSpawns);
    expect(r).toEqual({
      flavor: 'multi_thread',
      tryCurrentSame: true,
      viaDef: 42,
      closure: 'closure',
      closureHere: true,
      localHere: true,
      blockingProduct: 42,
      blockingElsewhere: true,
      passedOn: { same: true, inner: 2 },
      fromCallback: 100,
    });
  });

  it('validates arguments with the typed errors of Runtime', async () => {
    expect(await rt.spawn(handleArgErrors)).toEqual({
      spawnNumber: 'TypeError:ERR_INVALID_ARG_TYPE',
      spawnLocalNull: 'TypeError:ERR_INVALID_ARG_TYPE',
      spawnBlockingClosure: 'NotSendableError:ERR_SKEIN_NOT_SENDABLE',
      spawnBlockingString: 'TypeError:ERR_INVALID_ARG_TYPE',
    });
  });

  it('blockOn rejects with NestedRuntimeError and never runs the function', async () => {
    const r = await rt.spawn(handleBlockOn);
    expect(r).toMatchObject({
      rejected: true,
      ran: false,
      name: 'NestedRuntimeError',
      code: 'ERR_SKEIN_NESTED_RUNTIME',
    });
    expect(r.message).toMatch(/cannot start a runtime from within a runtime/);
    expect(r.message).toMatch(/`await`/);
    // Uncaught, it panics the task and arrives on the main thread as the same class.
    const err = (await rt.spawn(handleBlockOnPanics).then(
      () => undefined,
      (e: unknown) => e,
    )) as JoinError;
    expect(err).toBeInstanceOf(JoinError);
    expect(err.isPanic()).toBe(true);
    expect(err.cause).toBeInstanceOf(NestedRuntimeError);
    expect(err.cause).toBeInstanceOf(SkeinError);
  });

  it("reads the whole runtime's metrics from shared memory", async () => {
    const r = await rt.spawn(handleMetrics);
    expect(r.numWorkers).toBe(rt.metrics().numWorkers);
    expect(r.numWorkers).toBe(2);
    // The reporting task itself is alive while it reads.
    expect(r.aliveWhileRunning).toBeGreaterThanOrEqual(1);
    expect(r.spawnedDelta).toBeGreaterThanOrEqual(2);
    expect(typeof r.globalQueueDepth).toBe('number');
    expect(typeof r.budgetForcedYieldCount).toBe('number');
    expect(r.blocking).toEqual([0, 0, 0]);
    expect(r.workers).toEqual([true, true]);
    expect(r.outOfRange).toBe('RangeError:ERR_OUT_OF_RANGE');
    expect(r.histogramCount).toBe('number');
  });

  it("is undefined outside every task, and the runtime's own handle in main-thread tasks", async () => {
    expect(Handle.tryCurrent()).toBeUndefined();
    expect(() => Handle.current()).toThrow(NoRuntimeError);
    const flavor = await rt.blockOn(async () => Handle.current().flavor);
    expect(flavor).toBe('multi_thread');
    expect(Handle.tryCurrent()).toBeUndefined();
  });
});

describe("multi-thread runtime: a worker's handle after shutdown", () => {
  it('throws RuntimeShutdownError for every spawn', async () => {
    const rt = await multiThread(1);
    const flags = sharedInts(8);
    const h = rt.spawn(handleAfterShutdown, flags.sab);
    await waitFor(() => Atomics.load(flags.words, 0) === 1, 10_000, 'task started');
    await rt.shutdown();
    expect(h.isFinished()).toBe(true);
    expect(Atomics.load(flags.words, 0)).toBe(2);
    expect(Array.from(flags.words.subarray(1, 5))).toEqual([2, 2, 2, 2]);
  });
});
