/**
 * Memory of sleeping tasks, run in a child process with --expose-gc so the heap is ours.
 *
 *   idle N      heap bytes per idle task: N tasks each parked in `sleep`, against N raw
 *               async functions each awaiting a Node `setTimeout` promise
 *   million N   N concurrent sleepers with random deadlines: peak heap, and whether they
 *               all woke in deadline order
 *
 * Prints one JSON line.
 */
import { Runtime, sleep, sleepUntil, Instant, yieldNow } from '@skein/core';

const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) throw new Error('run with node --expose-gc');

function heap(): number {
  gc!();
  gc!();
  return process.memoryUsage().heapUsed;
}

async function idle(n: number): Promise<Record<string, number>> {
  const rt = await Runtime.builder().build();
  const before = heap();
  const skeinBytes = await rt.blockOn(async () => {
    for (let i = 0; i < n; i++) rt.spawn(() => sleep(3_600_000));
    await yieldNow();
    await yieldNow();
    return (heap() - before) / n;
  });
  await rt.shutdown();
  const before2 = heap();
  const timers: NodeJS.Timeout[] = [];
  for (let i = 0; i < n; i++)
    void (async () => {
      await new Promise((r) => timers.push(setTimeout(r, 3_600_000)));
    })();
  const rawBytes = (heap() - before2) / n;
  for (const t of timers) clearTimeout(t);
  return { tasks: n, skeinBytesPerTask: skeinBytes, rawBytesPerTask: rawBytes };
}

/**
 * Each sleeper takes its deadline when it starts sleeping, never in the past: starting a
 * million tasks takes a while, and a deadline computed before the task started may have
 * passed by then, which fires it at once and out of order (the earlier version of this
 * benchmark failed its order check that way). Deadlines fall in [release, release +
 * SPREAD]; release is far enough out that every task is asleep when the heap is measured,
 * and a task that starts even later sleeps until the next millisecond instead, which keeps
 * the order check valid (`asleepAtPeak` says how many were actually asleep together).
 */
const RELEASE_MS = 2500;
const SPREAD_MS = 1000;

async function million(n: number): Promise<Record<string, number | boolean>> {
  const rt = await Runtime.builder().build();
  const base = heap();
  const woke = new Float64Array(n);
  let started = 0;
  let k = 0;
  let peak = 0;
  let asleepAtPeak = 0;
  let startMs = 0;
  const t0 = performance.now();
  const release = Instant.now() + RELEASE_MS;
  // One shared function, so a task costs what the runtime makes of it plus the async
  // function's own state, not a closure per task as well.
  async function sleeper(): Promise<void> {
    const deadline = Math.max(Instant.now() + 1, release + Math.random() * SPREAD_MS);
    started++;
    await sleepUntil(deadline);
    woke[k++] = Math.ceil(deadline);
  }
  await rt.blockOn(async () => {
    for (let i = 0; i < n; i++) rt.spawn(sleeper);
    // The yield's wake queues behind every task start, so this returns once all have started.
    while (started < n) await yieldNow();
    startMs = performance.now() - t0;
    asleepAtPeak = started - k;
    peak = heap() - base;
    while (k < n) await sleep(20);
  });
  const wall = performance.now() - t0;
  await rt.shutdown();
  let inOrder = true;
  for (let i = 1; i < n; i++)
    if (woke[i]! < woke[i - 1]!) {
      inOrder = false;
      break;
    }
  return {
    tasks: n,
    peakHeapBytes: peak,
    peakHeapMB: peak / 2 ** 20,
    bytesPerTask: peak / n,
    asleepAtPeak,
    allWoke: k === n,
    inDeadlineOrder: inOrder,
    startMs,
    wallMs: wall,
  };
}

const [mode, nArg] = process.argv.slice(2);
const n = Number(nArg ?? (mode === 'million' ? 1_000_000 : 100_000));
const out = mode === 'million' ? await million(n) : await idle(n);
console.log(JSON.stringify(out));
