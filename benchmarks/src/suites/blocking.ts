/**
 * The blocking pool against raw piscina in the same run: the overhead spawnBlocking adds
 * over `piscina.run` for a small sync task (same thread count, same in-flight window), and
 * the main thread's event-loop delay while blocking tasks burn CPU.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { Piscina } from 'piscina';
import { Runtime, spawnBlocking, sleep, type JoinHandle } from '@skein/core';
import type { Bench, Contender } from '../harness.js';
import type { Note } from '../report.js';
import { burn, tiny } from '../tasks/blocking.js';

const THREADS = 2;
const JOBS = 20_000;
const WINDOW = 256;

let rt: Runtime;

/**
 * spawnBlocking vs piscina.run, with 256 and with 64 jobs in flight (a smaller window
 * leaves the pool's hand-off queue emptier, where per-job overhead shows more). Not quite
 * like for like, on purpose: skein's pool threads run at nice +10 (thread_priority.ts, for
 * the event-loop target below) and wait with `atomics: 'async'` so a job's leftover timers
 * keep running, while the baseline piscina pool uses piscina's defaults. On two cores the
 * nice level alone costs skein 5–15% here. A third contender runs piscina with
 * `atomics: 'async'`, skein's waiting mode, so the table tells that mode's cost (piscina's
 * own, per job, on both sides) from skein's.
 */
export function blockingBenches(): Bench[] {
  return [spawnBlockingBench('spawn_blocking', WINDOW), spawnBlockingBench('spawn_blocking_64', 64)];
}

function spawnBlockingBench(name: string, window: number): Bench {
  const filename = fileURLToPath(new URL('../tasks/blocking.ts', import.meta.url));
  return {
    name,
    description: `${JOBS / 1000}k small sync tasks, ${THREADS} threads, ${window} in flight`,
    unit: 'tasks/s',
    baseline: 'piscina.run',
    target: { value: 0.9, note: 'within 10% of piscina.run', kind: 'ratio-min' },
    contenders: [
      {
        name: 'skein spawnBlocking',
        ops: JOBS,
        async setup() {
          rt = await Runtime.builder().maxBlockingThreads(THREADS).logger('silent').build();
          await rt.blockOn(async () => {
            await Promise.all(Array.from({ length: THREADS * 4 }, (_, i) => spawnBlocking(tiny, i)));
          });
        },
        async teardown() {
          await rt.shutdown();
        },
        run: () =>
          rt.blockOn(async () => {
            const inflight: JoinHandle<number>[] = [];
            for (let i = 0; i < JOBS; i++) {
              inflight.push(spawnBlocking(tiny, i));
              if (inflight.length >= window) await inflight.shift();
            }
            for (const h of inflight) await h;
          }),
      },
      piscinaContender('piscina.run', filename, window, {}),
      // skein's threads wait with `atomics: 'async'`: this prices that mode alone, so the gap
      // to it is skein's own per-job cost.
      piscinaContender("piscina.run (atomics: 'async')", filename, window, { atomics: 'async' }),
    ],
  };
}

/** Raw piscina running the same task (2 threads, `window` in flight), with `options` on top of its defaults. */
function piscinaContender(name: string, filename: string, window: number, options: { atomics?: 'async' }): Contender {
  let pool: Piscina;
  return {
    name,
    ops: JOBS,
    async setup() {
      pool = new Piscina({
        filename,
        minThreads: THREADS,
        maxThreads: THREADS,
        execArgv: ['--import', 'tsx'],
        ...options,
      });
      await Promise.all(Array.from({ length: THREADS * 4 }, (_, i) => pool.run(i)));
    },
    async teardown() {
      await pool.destroy();
    },
    run: async () => {
      const inflight: Promise<number>[] = [];
      for (let i = 0; i < JOBS; i++) {
        inflight.push(pool.run(i));
        if (inflight.length >= window) await inflight.shift();
      }
      await Promise.all(inflight);
    },
  };
}

/** Main-thread event-loop delay while 4 blocking tasks each burn 200 ms. */
export async function blockingNotes(log: (l: string) => void): Promise<Note[]> {
  const rt2 = await Runtime.builder().maxBlockingThreads(4).logger('silent').build();
  const p99s: number[] = [];
  await rt2.blockOn(async () => {
    await Promise.all(Array.from({ length: 4 }, () => spawnBlocking(burn, 1)));
    for (let round = 0; round < 3; round++) {
      const h = monitorEventLoopDelay({ resolution: 1 });
      h.enable();
      const jobs = Array.from({ length: 4 }, () => spawnBlocking(burn, 200));
      // Keep the main loop doing small runtime work meanwhile, as a server would.
      const ticker = rt2.spawn(async () => {
        for (;;) await sleep(1);
      });
      await Promise.all(jobs);
      ticker.abort();
      h.disable();
      p99s.push(h.percentile(99) / 1e6);
    }
  });
  await rt2.shutdown();
  const p99 = Math.max(...p99s);
  log(`  event-loop delay p99 with 4 × 200 ms blocking tasks: ${p99s.map((x) => x.toFixed(2)).join(', ')} ms`);
  return [
    {
      name: 'main event-loop delay p99 while 4 blocking tasks burn 200 ms',
      figure: `${p99.toFixed(2)} ms (worst of 3 rounds)`,
      target: '< 5 ms',
      met: p99 < 5,
    },
  ];
}
