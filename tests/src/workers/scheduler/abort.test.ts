import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JoinError, type Runtime } from '@skein/core';
import { abortable, holdUntil, markStarted } from '../runtime/fixtures/control.js';
import { multiThread, sharedInts, waitFor } from '../runtime/helpers.js';

describe('multi-thread runtime: abort', () => {
  let rt: Runtime;
  beforeAll(async () => {
    rt = await multiThread(2);
  });
  afterAll(async () => {
    await rt.shutdown();
  });

  it('never starts a task aborted while queued', async () => {
    // Occupy both workers so the marked tasks stay queued.
    const gate = sharedInts(8);
    const holders = [rt.spawn(holdUntil, gate.sab, 0, 10_000), rt.spawn(holdUntil, gate.sab, 4, 10_000)];
    await waitFor(
      () => Atomics.load(gate.words, 1) === 1 && Atomics.load(gate.words, 5) === 1,
      10_000,
      'both workers busy',
    );
    const flags = sharedInts(16);
    const hs = Array.from({ length: 16 }, (_, i) => rt.spawn(markStarted, flags.sab, i));
    for (const h of hs.slice(0, 8)) h.abort();
    for (const h of hs.slice(0, 8)) {
      expect(h.isFinished()).toBe(true);
      const err = (await h.then(
        () => undefined,
        (e: unknown) => e,
      )) as JoinError;
      expect(err).toBeInstanceOf(JoinError);
      expect(err.isCancelled()).toBe(true);
      expect(err.taskId).toBe(h.id);
    }
    Atomics.store(gate.words, 0, 1);
    Atomics.notify(gate.words, 0);
    Atomics.store(gate.words, 4, 1);
    Atomics.notify(gate.words, 4);
    await Promise.all(holders);
    expect(await Promise.all(hs.slice(8))).toEqual([8, 9, 10, 11, 12, 13, 14, 15]);
    for (let i = 0; i < 8; i++) expect(Atomics.load(flags.words, i)).toBe(0);
    for (let i = 8; i < 16; i++) expect(Atomics.load(flags.words, i)).toBe(1);
    await waitFor(() => rt.metrics().numAliveTasks === 0, 5000, 'no live tasks');
  });

  it('cancels a running task: its runtime await rejects with Cancelled and finally runs', async () => {
    const flags = sharedInts(4);
    const h = rt.spawn(abortable, flags.sab);
    await waitFor(() => Atomics.load(flags.words, 0) === 1, 10_000, 'task started');
    h.abort();
    // The handle settles at once, before the worker even hears about it.
    expect(h.isFinished()).toBe(true);
    const err = (await h.then(
      () => undefined,
      (e: unknown) => e,
    )) as JoinError;
    expect(err.isCancelled()).toBe(true);
    await waitFor(() => Atomics.load(flags.words, 2) === 1, 5000, 'finally ran');
    expect(Atomics.load(flags.words, 1)).toBe(1);
    h.abort(); // idempotent
    await waitFor(() => rt.metrics().numAliveTasks === 0, 5000, 'no live tasks');
  });

  it('aborts many running tasks at once', async () => {
    const flags = Array.from({ length: 50 }, () => sharedInts(4));
    const hs = flags.map((f) => rt.spawn(abortable, f.sab));
    await waitFor(() => flags.every((f) => Atomics.load(f.words, 0) === 1), 10_000, 'all started');
    for (const h of hs) h.abort();
    const errs = await Promise.all(
      hs.map((h) =>
        h.then(
          () => undefined,
          (e: unknown) => e,
        ),
      ),
    );
    expect(errs.every((e) => e instanceof JoinError && e.isCancelled())).toBe(true);
    await waitFor(
      () => flags.every((f) => Atomics.load(f.words, 2) === 1 && Atomics.load(f.words, 1) === 1),
      5000,
      'all cleaned up',
    );
  });

  it('has no effect on a finished task', async () => {
    const flags = sharedInts(1);
    const h = rt.spawn(markStarted, flags.sab, 0);
    expect(await h).toBe(0);
    h.abort();
    expect(await h).toBe(0);
  });

  it('aborts from an AbortHandle and from a task on the main thread', async () => {
    const flags = sharedInts(4);
    const h = rt.spawn(abortable, flags.sab);
    await waitFor(() => Atomics.load(flags.words, 0) === 1, 10_000, 'task started');
    await rt.blockOn(async () => {
      h.abortHandle().abort();
    });
    await expect(h).rejects.toSatisfy((e: unknown) => e instanceof JoinError && e.isCancelled());
    await waitFor(() => Atomics.load(flags.words, 2) === 1, 5000, 'finally ran');
  });
});
