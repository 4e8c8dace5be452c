/**
 * What AsyncLocalStorage alone costs plain JavaScript, outside skein: the spawn_many
 * baseline's loop (1M async calls, awaited in batches of 10k) in a fresh process, either
 * with no AsyncLocalStorage in use or with one entered, as skein's runtime does. On Node 20
 * an entered AsyncLocalStorage turns on the async_hooks promise hooks for every promise;
 * Node 24 carries the context without them.
 *
 *   node raw_async.mjs plain|als   prints {"mode", "opsPerSec"} (median of 5 rounds)
 */
import { AsyncLocalStorage } from 'node:async_hooks';

const N = 1_000_000;
const BATCH = 10_000;
const mode = process.argv[2];
if (mode !== 'plain' && mode !== 'als') throw new Error('usage: raw_async.mjs plain|als');
if (mode === 'als') new AsyncLocalStorage().enterWith({});

async function round() {
  const ps = new Array(BATCH);
  for (let k = 0; k < N; k += BATCH) {
    for (let i = 0; i < BATCH; i++) ps[i] = (async () => i)();
    for (let i = 0; i < BATCH; i++) await ps[i];
  }
}

await round();
const ms = [];
for (let r = 0; r < 5; r++) {
  const t0 = performance.now();
  await round();
  ms.push(performance.now() - t0);
}
ms.sort((a, b) => a - b);
console.log(JSON.stringify({ mode, opsPerSec: N / (ms[2] / 1000) }));
