import { describe, expect, it } from 'vitest';
import { awaitThenBlock, threadAndGate } from '../runtime/fixtures/control.js';
import { inc } from '../runtime/fixtures/basic.js';
import { multiThread, sharedInts, waitFor } from '../runtime/helpers.js';

// A worker running a task's synchronous stretch is busy, whatever the task awaited before:
// a task spawned meanwhile must go to the idle worker, not queue behind the busy one.
describe('multi-thread runtime: a worker blocked by a task never looks idle', () => {
  for (const [what, ms] of [
    ['after `await Promise.resolve()`', 0],
    ['after a sleep (while its loop was parked)', 20],
  ] as const) {
    it(`a task spawned while another blocks its worker ${what} runs on the other worker`, async () => {
      const rt = await multiThread(2);
      try {
        await Promise.all([rt.spawn(inc, 1), rt.spawn(inc, 2)]); // both workers have loaded the fixtures
        for (let round = 0; round < 5; round++) {
          const gate = sharedInts(2);
          const blocker = rt.spawn(awaitThenBlock, gate.sab, 0, ms);
          await waitFor(() => Atomics.load(gate.words, 1) === 1, 10_000, 'blocker blocking');
          await new Promise((r) => setTimeout(r, 20)); // its worker's loop has parked by now, if it parks
          const [thread, blockerStillBlocking] = await rt.spawn(threadAndGate, gate.sab, 0);
          Atomics.store(gate.words, 0, 1);
          Atomics.notify(gate.words, 0);
          const blockerThread = await blocker;
          expect(blockerStillBlocking).toBe(true);
          expect(thread).not.toBe(blockerThread);
        }
      } finally {
        await rt.shutdown();
      }
    });
  }
});
