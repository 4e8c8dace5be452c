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
  for (let i = 0; i < n; i++) void (async () => { await new Promise((r) => timers.push(setTimeout(r, 3_600_000))); })();
  const rawBytes = (heap() - before2) / n;
  for (const t of timers) clearTimeout(t);
  return { tasks: n, skeinBytesPerTask: skeinBytes, rawBytesPerTask: rawBytes };
}

async function million(n: number): Promise<Record<string, number | boolean>> {
  const rt = await Runtime.builder().build();
  const base = heap();
  const spread = 3000;
  const woke = new Float64Array(n);
  let k = 0;
  let peak = 0;
  const t0 = performance.now();
  await rt.blockOn(async () => {
    const start = Instant.now() + 200;
    for (let i = 0; i < n; i++) {
      const deadline = start + Math.random() * spread;
      rt.spawn(async () => {
        await sleepUntil(deadline);
        woke[k++] = Math.ceil(deadline);
      });
    }
    await yieldNow();
    peak = heap() - base;
    while (k < n) await sleep(100);
  });
  const wall = performance.now() - t0;
  await rt.shutdown();
  let inOrder = true;
  for (let i = 1; i < n; i++) if (woke[i]! < woke[i - 1]!) { inOrder = false; break; }
  return { tasks: n, peakHeapBytes: peak, peakHeapMB: peak / 2 ** 20, bytesPerTask: peak / n, allWoke: k === n, inDeadlineOrder: inOrder, wallMs: wall };
}

const [mode, nArg] = process.argv.slice(2);
const n = Number(nArg ?? (mode === 'million' ? 1_000_000 : 100_000));
const out = mode === 'million' ? await million(n) : await idle(n);
console.log(JSON.stringify(out));
