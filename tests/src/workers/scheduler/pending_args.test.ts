/**
 * A task whose arguments travel through the side channel (a SharedArrayBuffer is shared by
 * postMessage, which races with the queues) must not be claimed by a worker before they
 * arrive. It once was: one worker popped both tasks of a burst, claimed both while their
 * buffer was on its way, then ran the first, which held the thread, and the second sat
 * claimed behind it while the other worker idled (seen on Node 24 in 11 of 15 fresh
 * runtimes).
 */
import { expect, it } from 'vitest';
import { Runtime } from '@skein/core';
import { holdUntil } from '../runtime/fixtures/control.js';
import { sharedInts, waitFor } from '../runtime/helpers.js';

it('tasks whose SharedArrayBuffer arguments are still in flight spread over idle workers', async () => {
  for (let round = 0; round < 6; round++) {
    // A fresh runtime each round: its workers have neither the module nor the buffer yet.
    const rt = await Runtime.builder().multiThread().workerThreads(2).logger('silent').build();
    try {
      const gate = sharedInts(8);
      const holders = [rt.spawn(holdUntil, gate.sab, 0, 60_000), rt.spawn(holdUntil, gate.sab, 4, 60_000)];
      await waitFor(
        () => Atomics.load(gate.words, 1) === 1 && Atomics.load(gate.words, 5) === 1,
        30_000,
        `both holders running (round ${round})`,
      );
      Atomics.store(gate.words, 0, 1);
      Atomics.notify(gate.words, 0);
      Atomics.store(gate.words, 4, 1);
      Atomics.notify(gate.words, 4);
      const threads = await Promise.all(holders);
      expect(new Set(threads).size).toBe(2);
    } finally {
      await rt.shutdown();
    }
  }
}, 300_000);
