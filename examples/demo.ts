/**
 * The main demonstration: a realistic mixed load on the default runtime configuration,
 * with a live line of metrics and a summary at the end.
 *
 * - CPU-bound work: parallel fib (nested spawns stolen across workers) and many small
 *   checksum tasks, on the multi-thread runtime's workers.
 * - I/O-like work: "requests" that sleep a few milliseconds, as a server's handlers await
 *   a database, on the main thread's reactor.
 * - Channels: every producer reports to a stats collector through an mpsc channel; a
 *   CancellationToken tells everyone when to stop.
 *
 *   npx pnpm@10 demo                 # ~8 s on the default configuration
 *   npx pnpm@10 demo --seconds 20    # longer
 *   npx pnpm@10 demo --console       # with task tracking and the console beside it
 *                                    # (prints its URL; --port picks its port, default 6669)
 */
import { parseArgs } from 'node:util';
import {
  CancellationToken, Instant, JoinSet, Runtime, Semaphore, interval, mpsc, sleep, spawn, spawnLocal,
  type RuntimeMetrics,
} from '@skein/core';
import { serveConsole } from '@skein/console';
import { checksum, fib } from './tasks/compute.js';

const { values } = parseArgs({
  options: { seconds: { type: 'string', default: '8' }, console: { type: 'boolean', default: false }, port: { type: 'string', default: '6669' } },
});
const seconds = Number(values.seconds);
if (!Number.isFinite(seconds) || seconds <= 0) {
  console.error('--seconds must be a positive number');
  process.exit(2);
}

interface Stats { requests: number; checksums: number; fibs: number; latencyMs: number[] }

function pad(s: string | number, n: number): string {
  return String(s).padStart(n);
}

function liveLine(m: RuntimeMetrics, lastSpawned: number, dtMs: number): string {
  const rate = ((m.spawnedTasksCount - lastSpawned) * 1000) / dtMs;
  const workers: string[] = [];
  let steals = 0;
  let parks = 0;
  for (let i = 0; i < m.numWorkers; i++) {
    const w = m.worker(i);
    steals += w.stealCount;
    parks += w.parkCount;
    workers.push(`w${i}:q${w.localQueueDepth}`);
  }
  return `tasks/s ${pad(Math.round(rate), 7)} | alive ${pad(m.numAliveTasks, 5)} | steals ${pad(steals, 6)} | parks ${pad(parks, 5)} | global q ${pad(m.globalQueueDepth, 4)} | ${workers.join(' ')}`;
}

const rt = await Runtime.builder().multiThread().taskTracking(values.console).build();
const metrics = rt.metrics();
const view = values.console ? await serveConsole(rt, { port: Number(values.port) }) : undefined;
console.log(`skein demo: ${rt.flavor} runtime, ${metrics.numWorkers} workers, ${seconds} s of mixed load\n`);
if (view !== undefined) console.log(`console: ${view.url} (task tracking on)\n`);

const stats = await rt.blockOn(async () => {
  const stop = new CancellationToken();
  const [statTx, statRx] = mpsc.channel<{ kind: 'request' | 'checksum' | 'fib'; ms: number }>(1024);
  const stats: Stats = { requests: 0, checksums: 0, fibs: 0, latencyMs: [] };

  // The collector: one consumer of every producer's reports.
  const collector = spawnLocal(async () => {
    for await (const s of statRx) {
      if (s.kind === 'request') {
        stats.requests++;
        stats.latencyMs.push(s.ms);
      } else if (s.kind === 'checksum') stats.checksums++;
      else stats.fibs++;
    }
  });

  // The live metrics line.
  const ticker = spawnLocal(async () => {
    const tick = interval(1000);
    await tick.tick();
    let last = metrics.spawnedTasksCount;
    let lastAt = Instant.now();
    while (!stop.isCancelled()) {
      await tick.tick();
      const now = Instant.now();
      console.log(liveLine(metrics, last, now - lastAt));
      last = metrics.spawnedTasksCount;
      lastAt = now;
    }
  });

  // I/O-like request handlers: at most 200 in flight, each "awaits a database" for 2–10 ms.
  // Each producer owns a clone of the sender, made before the original is closed below.
  const reqTx = statTx.clone();
  const smallTx = statTx.clone();
  const bigTx = statTx.clone();
  const requests = spawnLocal(async () => {
    const inflight = new Semaphore(200);
    const tx = reqTx;
    let seq = 0;
    while (!stop.isCancelled()) {
      const permit = await inflight.acquire();
      const id = seq++;
      spawnLocal(async () => {
        const t0 = Instant.now();
        try {
          await sleep(2 + (id % 9));
          await tx.send({ kind: 'request', ms: Instant.now() - t0 });
        } finally {
          permit.release();
        }
      });
    }
    // Wait for the handlers still in flight (all permits back) before closing their sender.
    (await inflight.acquire(200)).release();
    tx.close();
  });

  // Small CPU tasks, 64 in flight, results reported through the channel.
  const small = spawnLocal(async () => {
    const tx = smallTx;
    const set = new JoinSet<number>();
    let seed = 1;
    while (!stop.isCancelled()) {
      while (set.size < 64) set.spawn(checksum, seed++, 20_000);
      await set.joinNext();
      await tx.send({ kind: 'checksum', ms: 0 });
    }
    await set.shutdown();
    tx.close();
  });

  // Big CPU tasks: parallel fib with nested spawns, one after another.
  const big = spawnLocal(async () => {
    const tx = bigTx;
    while (!stop.isCancelled()) {
      const t0 = Instant.now();
      const v = await spawn(fib, 27, 18);
      if (v !== 196418) throw new Error(`fib(27) = ${v}?`);
      await tx.send({ kind: 'fib', ms: Instant.now() - t0 });
    }
    tx.close();
  });
  statTx.close();

  await sleep(seconds * 1000);
  stop.cancel();
  await Promise.all([requests, small, big]);
  await collector;
  ticker.abort();
  return stats;
});

const m = rt.metrics();
const lat = stats.latencyMs.sort((a, b) => a - b);
const pct = (p: number): string => (lat.length === 0 ? '-' : lat[Math.min(lat.length - 1, Math.floor((p / 100) * lat.length))]!.toFixed(1));
console.log('\nsummary');
console.log(`  requests handled   ${stats.requests} (latency p50 ${pct(50)} ms, p99 ${pct(99)} ms)`);
console.log(`  checksum tasks     ${stats.checksums}`);
console.log(`  parallel fib(27)   ${stats.fibs}`);
console.log(`  tasks spawned      ${m.spawnedTasksCount}`);
for (let i = 0; i < m.numWorkers; i++) {
  const w = m.worker(i);
  console.log(`  worker ${i}: polls ${w.pollCount}, steals ${w.stealCount} in ${w.stealOperations} ops, parks ${w.parkCount}, busy ${w.busyMs.toFixed(0)} ms, overflow ${w.overflowCount}, mean poll ${w.meanPollTimeUs.toFixed(1)} µs`);
}
console.log(`  global queue depth ${m.globalQueueDepth}, alive tasks ${m.numAliveTasks}`);
await view?.close();
await rt.shutdown();
