import { describe, expect, it } from 'vitest';
import { JoinError } from '@skein/core';
import {
  CANCELLED,
  RESUMES,
  RETURNED,
  STARTED,
  WORDS,
  cancelledAt,
  reportBytes,
  yieldLoop,
} from '../runtime/fixtures/abort_stress.js';
import { multiThread, waitFor } from '../runtime/helpers.js';

// Tokio: a task aborted while it runs stops at its next await. Across threads the abort
// first has to reach the task's worker; from then on, its next runtime await rejects with
// Cancelled. Real threads, many tasks, no timing assertions: check that no aborted task
// ran to the end, and none settled its handle with a value.
describe('multi-thread runtime: aborting running tasks from another thread (stress)', () => {
  for (const [what, sleepMs, yields] of [
    ['yields', 0, 10_000_000],
    ['sleeps', 1, 100_000],
  ] as const) {
    it(`every task aborted while it ${what} stops with Cancelled, none finishes its body`, async () => {
      const rt = await multiThread(2);
      try {
        for (let round = 0; round < 3; round++) {
          const n = 64;
          const report = new SharedArrayBuffer(reportBytes(n));
          const words = new Int32Array(report);
          const at = (i: number, w: number): number => Atomics.load(words, i * WORDS + w);
          const hs = Array.from({ length: n }, (_, i) => rt.spawn(yieldLoop, report, n, i, yields, sleepMs));
          await waitFor(() => hs.every((_, i) => at(i, STARTED) === 1), 20_000, 'all started');
          const atAbort: number[] = [];
          const abortedAt: number[] = [];
          for (let i = 0; i < n; i++) {
            abortedAt.push(performance.timeOrigin + performance.now());
            hs[i]!.abort();
            atAbort.push(at(i, RESUMES));
          }
          for (const h of hs) {
            const err = await h.then(
              () => undefined,
              (e: unknown) => e,
            );
            expect(err instanceof JoinError && err.isCancelled()).toBe(true);
          }
          await waitFor(
            () => hs.every((_, i) => at(i, CANCELLED) === 1 || at(i, RETURNED) === 1),
            30_000,
            'every body ended',
          );
          expect(hs.filter((_, i) => at(i, RETURNED) === 1).length).toBe(0);
          const late = hs.map((_, i) => at(i, RESUMES) - atAbort[i]!).sort((a, b) => a - b);
          const times = new Float64Array(report);
          const ms = hs.map((_, i) => times[cancelledAt(n, i)]! - abortedAt[i]!).sort((a, b) => a - b);
          // Figures for the README (abort latency), not assertions.
          console.log(
            `${what} round ${round}: resumes after abort() returned: median ${late[n >> 1]}, max ${late[n - 1]}; ` +
              `abort() to Cancelled in the task: median ${ms[n >> 1]!.toFixed(2)} ms, max ${ms[n - 1]!.toFixed(2)} ms`,
          );
        }
        await waitFor(() => rt.metrics().numAliveTasks === 0, 10_000, 'no live tasks');
      } finally {
        await rt.shutdown();
      }
    });
  }
});
