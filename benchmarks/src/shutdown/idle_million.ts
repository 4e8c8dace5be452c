/**
 * Issue 12's figure: how long `shutdown()` takes for N idle tasks, each parked in `sleep`.
 *
 *   node --import tsx src/shutdown/idle_million.ts [N=1000000] [finally|plain]
 *
 * `plain` tasks are `() => sleep(h)`; `finally` tasks sleep inside try/finally, so every
 * body must be resumed to run its cleanup. `floor` is what that resumption costs V8 with no
 * runtime at all: N raw async functions in try/finally, each awaiting a promise, rejected in
 * one loop with one shared error. Prints one JSON line.
 */
import { Runtime, sleep } from '@skein/core';

const n = Number(process.argv[2] ?? 1_000_000);
const shape = process.argv[3] ?? 'plain';
let cleaned = 0;

async function withFinally(): Promise<void> {
  try {
    await sleep(3_600_000);
  } finally {
    cleaned++;
  }
}

function plain(): Promise<void> {
  return sleep(3_600_000);
}

async function floor(): Promise<number> {
  const rejects: ((e: unknown) => void)[] = [];
  for (let i = 0; i < n; i++) {
    void (async () => {
      try {
        await new Promise((_resolve, reject) => rejects.push(reject));
      } finally {
        cleaned++;
      }
    })().catch(() => undefined);
  }
  await new Promise((r) => setTimeout(r, 1));
  const t0 = performance.now();
  const err = new Error('cancelled');
  for (const reject of rejects) reject(err);
  while (cleaned < n) await new Promise((r) => setImmediate(r));
  return performance.now() - t0;
}

if (shape === 'floor') {
  const ms = await floor();
  console.log(JSON.stringify({ node: process.version, tasks: n, shape, shutdownMs: Math.round(ms), cleaned }));
  process.exit(0);
}

const rt = await Runtime.builder().logger('silent').build();
const body = shape === 'finally' ? withFinally : plain;
await rt.blockOn(async () => {
  for (let i = 0; i < n; i++) rt.spawn(body);
  await sleep(1);
});
const t0 = performance.now();
await rt.shutdown();
const shutdownMs = performance.now() - t0;
console.log(JSON.stringify({ node: process.version, tasks: n, shape, shutdownMs: Math.round(shutdownMs), cleaned }));
