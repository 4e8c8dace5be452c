import { Runtime, spawn } from '@skein/core';
import { inc } from './tasks/multi.js';
const N = Number(process.argv[2] ?? 20);
let stage = '';
let rt: Runtime | undefined;
let done = 0;
for (let k = 0; k < N; k++) {
  const watchdog = setTimeout(() => {
    const m = rt!.metrics();
    const ws = Array.from({ length: m.numWorkers }, (_, i) => { const w = m.worker(i); return { poll: w.pollCount, park: w.parkCount, unpark: w.unparkCount, q: w.localQueueDepth, steal: w.stealCount }; });
    console.log('HANG at iteration', k, stage, 'done', done, JSON.stringify({ alive: m.numAliveTasks, spawned: m.spawnedTasksCount, global: m.globalQueueDepth, ws }));
    process.exit(3);
  }, 30000);
  stage = 'build';
  rt = await Runtime.builder().multiThread().workerThreads(2).logger('silent').build();
  stage = 'warm';
  await rt.blockOn(async () => { await Promise.all(Array.from({ length: 8 }, (_, i) => spawn(inc, i))); });
  stage = 'window';
  done = 0;
  await rt.blockOn(async () => {
    const inflight: PromiseLike<unknown>[] = new Array(10000);
    let head = 0;
    for (let i = 0; i < 200000; i++) {
      if (i >= 10000) { await inflight[head]; done++; }
      inflight[head] = spawn(inc, i);
      head = (head + 1) % 10000;
    }
    for (let i = 0; i < 10000; i++) { await inflight[i]; done++; }
  });
  stage = 'shutdown';
  await rt.shutdown();
  clearTimeout(watchdog);
}
console.log('ok', N);
