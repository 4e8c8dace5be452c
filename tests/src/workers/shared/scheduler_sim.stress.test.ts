import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, test } from 'vitest';
import { SharedLayout } from '../../../../packages/workers/src/shared/layout.js';
import { checkSeenOnce, runFixtures } from './spawn.js';

const ROOTS = 300_000;
const TOTAL = 450_000; // roots 1..150k each spawn one child

describe('shared structures composed into a worker loop (real threads)', () => {
  for (const workers of [2, 3]) {
    test(`${workers} workers run ${TOTAL} tasks in waves, exactly once, parking in between`, {
      timeout: 40_000,
    }, async () => {
      const layout = SharedLayout.create({ workers, injectCapacity: 1 << 16, mailboxCapacity: 1 << 12 });
      const seenSab = new SharedArrayBuffer(TOTAL + 1);
      const ctlSab = new SharedArrayBuffer(16);
      const ctl = new Int32Array(ctlSab);
      const done = runFixtures(
        'scheduler_sim',
        Array.from({ length: workers }, (_, index) => ({
          index,
          roots: ROOTS,
          total: TOTAL,
          layoutSab: layout.sab,
          seenSab,
          ctlSab,
        })),
      );
      const { idle, inject, parkers, mainMailbox } = layout;
      let completed = 0;
      const onComplete = (): void => {
        completed++;
      };
      const diagnostics = (): string =>
        JSON.stringify({
          completed,
          inject: inject.len(),
          local: layout.localQueues.map((q) => q.len()),
          parked: idle.numParked(),
          searching: idle.numSearching(),
          unparked: idle.numUnparked(),
          parkers: parkers.map((p) => p.state()),
        });
      /** Drains completions until `target`; a 5 s stall means work was stranded (a lost wake-up). */
      const awaitCompleted = async (target: number): Promise<void> => {
        let last = completed;
        let since = Date.now();
        for (;;) {
          mainMailbox.drain(onComplete);
          if (completed >= target) return;
          await mainMailbox.waitAsync(200);
          if (completed !== last) {
            last = completed;
            since = Date.now();
          } else if (Date.now() - since > 5000) {
            throw new Error(`no progress for 5 s (lost wake-up?): ${diagnostics()}`);
          }
        }
      };

      // Waves: spawn a few thousand roots in batches (waking a worker after each, like
      // Tokio's notify_parked_remote), wait until the wave and its children completed, so
      // every worker runs dry and parks, then start the next wave from a parked runtime.
      const batch = new Int32Array(512);
      let next = 1;
      let waves = 0;
      while (next <= ROOTS) {
        const waveEnd = Math.min(ROOTS, next + 500 + ((Math.random() * 3500) | 0));
        while (next <= waveEnd) {
          const k = Math.min(1 + ((Math.random() * batch.length) | 0), waveEnd - next + 1);
          for (let i = 0; i < k; i++) batch[i] = next + i;
          inject.pushBatch(batch, 0, k);
          next += k;
          const w = idle.workerToNotify();
          if (w >= 0) parkers[w]!.unpark();
        }
        await awaitCompleted(next - 1 + Math.min(next - 1, TOTAL - ROOTS));
        waves++;
        if (waves % 4 === 0) await sleep(1);
      }
      await awaitCompleted(TOTAL);

      // Quiescence: every worker must run dry, park, and leave the counters consistent.
      const deadline = Date.now() + 5000;
      while (idle.numParked() < workers && Date.now() < deadline) await sleep(5);
      expect(idle.numParked(), diagnostics()).toBe(workers);
      expect(idle.numSearching()).toBe(0);
      expect(idle.numUnparked()).toBe(0);
      expect(inject.len()).toBe(0);
      // Shutdown: take every sleeper out of the set and wake it.
      Atomics.store(ctl, 0, 1);
      let woken = 0;
      for (let w = idle.unparkWorkerByShutdown(); w >= 0; w = idle.unparkWorkerByShutdown()) {
        parkers[w]!.unpark();
        woken++;
      }
      expect(woken).toBe(workers);
      const results = await done;
      expect(ctl[1], 'duplicate or out-of-range ids').toBe(0);
      expect(checkSeenOnce(new Uint8Array(seenSab), TOTAL)).toEqual([]);
      expect(completed).toBe(TOTAL);
      // Workers must have parked and been woken mid-run, not only at the end, or this proves
      // little. How often depends on how the OS schedules the threads (a loaded CI box runs
      // waves back to back), so the bound is one park beyond the final ones, not per wave.
      expect(results.reduce((s, r) => s + (r.parks as number), 0)).toBeGreaterThan(workers);
      console.log(
        `scheduler sim (${workers} workers, ${waves} waves):`,
        JSON.stringify(results.map(({ ok: _ok, ...r }) => r)),
      );
    });
  }
});
