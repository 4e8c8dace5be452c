import { Runtime, spawn, type JoinHandle } from '@skein/core';
const N = 1_000_000;
const B = Number(process.env.BATCH ?? 10_000);
const ROUNDS = Number(process.env.ROUNDS ?? 7);
const which = process.argv[2] ?? 'both';
const rt = await Runtime.builder().currentThread().build();
async function skein(): Promise<void> {
  await rt.blockOn(async () => {
    const hs: JoinHandle<number>[] = new Array(B);
    for (let b = 0; b < N; b += B) {
      for (let i = 0; i < B; i++) hs[i] = spawn(() => i);
      for (let i = 0; i < B; i++) await hs[i];
    }
  });
}
async function raw(): Promise<void> {
  const ps: Promise<number>[] = new Array(B);
  for (let b = 0; b < N; b += B) {
    for (let i = 0; i < B; i++) ps[i] = (async () => i)();
    for (let i = 0; i < B; i++) await ps[i];
  }
}
const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
const ts: Record<string, number[]> = { skein: [], raw: [] };
const fns: Record<string, () => Promise<void>> = { skein, raw };
const names = which === 'both' ? ['skein', 'raw'] : [which];
for (const n of names) await fns[n]!();
for (let r = 0; r < ROUNDS; r++) for (const n of names) { const t0 = performance.now(); await fns[n]!(); ts[n]!.push(performance.now() - t0); }
for (const n of names) console.log(n, (N / med(ts[n]!) * 1000 / 1e6).toFixed(3), 'M/s', ts[n]!.map((x) => x.toFixed(0)).join(' '));
await rt.shutdown();
