/**
 * What carrying a task context costs plain JavaScript: the spawn_many baseline's loop (1M
 * async calls, awaited in batches of 10k) in a fresh process, with no context, with an
 * entered AsyncLocalStorage, or with skein's own frame store entered (the carrier skein
 * picks on this Node: its promise hooks on Node 20, AsyncLocalStorage on Node 24). On
 * Node 20 an entered AsyncLocalStorage turns on the async_hooks promise hooks for every
 * promise; Node 24 carries the context without them.
 *
 *   node raw_async.mjs plain|als|skein   prints {"mode", "opsPerSec"} (median of 5 rounds)
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { frames } from '@skein/core/internal';

const N = 1_000_000;
const BATCH = 10_000;
const mode = process.argv[2];
if (mode !== 'plain' && mode !== 'als' && mode !== 'skein') throw new Error('usage: raw_async.mjs plain|als|skein');
if (mode === 'als') new AsyncLocalStorage().enterWith({});
if (mode === 'skein') frames.enterWith({ task: undefined, scope: undefined, locals: undefined });

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
