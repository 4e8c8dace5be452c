import { Runtime, spawn } from '@skein/core';
import { fibHandler } from './handlers.js';
import { runTaskHandler } from '../../../packages/net/src/http/task_handler.js';
import { fib } from '../tasks/multi.js';

const rt = await Runtime.builder().multiThread().workerThreads(2).logger('silent').build();
await rt.blockOn(async () => {
  const N = 400;
  for (const mode of ['spawn', 'handler', 'spawn', 'handler']) {
    const t0 = performance.now();
    let i = 0;
    await Promise.all(Array.from({ length: 32 }, async () => {
      while (i++ < N) {
        if (mode === 'spawn') await spawn(fib, 25);
        else await spawn(() => runTaskHandler(fibHandler as never, new Request('http://x/fib/25'), { params: { n: '25' }, state: undefined, signal: new AbortController().signal, log: undefined as never }));
      }
    }));
    console.log(mode, Math.round(N / ((performance.now() - t0) / 1000)), 'per s');
  }
});
await rt.shutdown();
