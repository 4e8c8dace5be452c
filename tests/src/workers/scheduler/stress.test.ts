import { describe, expect, it } from 'vitest';
import { isNested, stressNode } from '../runtime/fixtures/stress.js';
import { multiThread, waitFor } from '../runtime/helpers.js';

// STRESS_TASKS / STRESS_RUNS raise the load for soak runs (`STRESS_RUNS=10 npx vitest run ...`).
const N = Number(process.env.STRESS_TASKS ?? 1_000_000);
const RUNS = Number(process.env.STRESS_RUNS ?? 1);
const WINDOW = 20_000;

async function stress(workers: number, N: number, seed: number): Promise<void> {
  const rt = await multiThread(workers);
  try {
    const counts = new Int32Array(new SharedArrayBuffer(N * 4));
    const roots: number[] = [];
    for (let i = 0; i < N; i++) if (!isNested(i, seed)) roots.push(i);
    let total = 0;
    for (let at = 0; at < roots.length; at += WINDOW) {
      const hs = roots.slice(at, at + WINDOW).map((i) => rt.spawn(stressNode, counts, i, N, seed));
      for (const h of hs) total += await h;
    }
    expect(total).toBe(N);
    let bad = -1;
    for (let i = 0; i < N && bad < 0; i++) if (counts[i] !== 1) bad = i;
    expect(bad === -1 ? 'every task ran once' : `task ${bad} ran ${counts[bad]} times (seed ${seed})`).toBe(
      'every task ran once',
    );
    const m = rt.metrics();
    await waitFor(() => m.numAliveTasks === 0, 10_000, 'numAliveTasks back to 0');
    let polls = 0;
    for (let w = 0; w < workers; w++) polls += m.worker(w).pollCount;
    expect(polls).toBeGreaterThanOrEqual(N);
    expect(m.spawnedTasksCount).toBe(N);
  } finally {
    await rt.shutdown();
  }
}

describe('stress: tasks with random nested spawns', () => {
  // 8 workers on a small machine is mostly oversubscription: a quarter of the tasks keeps
  // the suite quick while still exercising 8 deques, thieves and parkers.
  for (const [workers, n] of [
    [2, N],
    [4, N],
    [8, Math.ceil(N / 4)],
  ] as const) {
    it(
      `runs each of ${n} tasks exactly once and returns every result on ${workers} workers`,
      async () => {
        for (let r = 0; r < RUNS; r++) await stress(workers, n, (Math.random() * 2 ** 31) | 0);
      },
      120_000 * RUNS,
    );
  }
});
