import { Runtime, sleep, sleepUntil, Instant, yieldNow } from '@skein/core';
import v8 from 'node:v8';
const mode = process.argv[2] ?? 'idle';
const n = Number(process.argv[3] ?? 10000);
const rt = await Runtime.builder().build();
const woke = new Float64Array(n); let k = 0;
await rt.blockOn(async () => {
  for (let i = 0; i < n; i++) {
    if (mode === 'idle') rt.spawn(() => sleep(3_600_000));
    else rt.spawn(async () => { const d = Instant.now() + 3_600_000 + Math.random() * 3000; await sleepUntil(d); woke[k++] = Math.ceil(d); });
  }
  await yieldNow(); await yieldNow();
  (globalThis as any).gc?.();
  const f = v8.writeHeapSnapshot(`/tmp/sk/${mode}.heapsnapshot`);
  console.log(f);
});
process.exit(0);
