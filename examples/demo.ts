/**
 * The main demonstration: a realistic mixed load on the default runtime configuration,
 * with a live line of metrics and a summary at the end.
 *
 * - An HTTP server (@skein/net) under load from the built-in client for the whole run:
 *   `GET /users/{id}` is a closure handler, a task on the main thread that awaits a 2–10 ms
 *   "database"; `GET /fib/{n}` is a task() handler that computes on the workers.
 * - CPU-bound work: parallel fib (nested spawns stolen across workers) and many small
 *   checksum tasks, on the multi-thread runtime's workers.
 * - Reports: the worker tasks (checksums, fibs, the fib route) report to the main thread's
 *   collector through one sharedMpsc channel (@skein/workers); a CancellationToken tells
 *   everyone when to stop.
 *
 *   npx pnpm@10 demo                 # ~8 s on the default configuration
 *   npx pnpm@10 demo --seconds 20    # longer
 *   npx pnpm@10 demo --console       # with task tracking and the console beside it
 *                                    # (prints its URL; --port picks its port, default 6669)
 */
import { createHistogram, type RecordableHistogram } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import {
  CancellationToken,
  Instant,
  JoinSet,
  Runtime,
  interval,
  sleep,
  spawn,
  spawnLocal,
  type RuntimeMetrics,
} from '@skein/core';
import { serveConsole } from '@skein/console';
import { Router, serve } from '@skein/net';
import { sharedMpsc } from '@skein/workers';
import { fibRoute, reportedChecksum, reportedFib, type DemoState, type Report } from './net/demo_tasks.js';
import { load } from './net/load_client.js';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '8' },
    console: { type: 'boolean', default: false },
    port: { type: 'string', default: '6669' },
  },
});
const seconds = Number(values.seconds);
if (!Number.isFinite(seconds) || seconds <= 0) {
  console.error('--seconds must be a positive number');
  process.exit(2);
}

/** The built-in client's connections, and how many of each 4 requests go to the CPU route. */
const CONNECTIONS = 16;
const FIB_ROUTE_N = 22;

interface Stats {
  checksums: number;
  fibs: number;
  fibMs: number[];
  routeAnswers: number;
  reports: number;
}

function pad(s: string | number, n: number): string {
  return String(s).padStart(n);
}

function ms(h: RecordableHistogram, p: number): string {
  return h.count === 0 ? '-' : (h.percentile(p) / 1e6).toFixed(1);
}

function liveLine(m: RuntimeMetrics, lastSpawned: number, dtMs: number, http: RecordableHistogram): string {
  const rate = ((m.spawnedTasksCount - lastSpawned) * 1000) / dtMs;
  const rps = (http.count * 1000) / dtMs;
  const workers: string[] = [];
  let steals = 0;
  for (let i = 0; i < m.numWorkers; i++) {
    const w = m.worker(i);
    steals += w.stealCount;
    workers.push(`w${i}:q${w.localQueueDepth}`);
  }
  return `http ${pad(Math.round(rps), 6)} req/s p50 ${pad(ms(http, 50), 5)} p99 ${pad(ms(http, 99), 5)} ms | tasks/s ${pad(Math.round(rate), 7)} | alive ${pad(m.numAliveTasks, 5)} | steals ${pad(steals, 6)} | global q ${pad(m.globalQueueDepth, 4)} | ${workers.join(' ')}`;
}

// Node loads its fetch (undici) on first use, tens of ms in one go: do it before the
// runtime starts, so the console doesn't report the client's first poll as a long one.
await fetch('data:text/plain,');

const rt = await Runtime.builder().multiThread().taskTracking(values.console).build();
const metrics = rt.metrics();
const view = values.console ? await serveConsole(rt, { port: Number(values.port) }) : undefined;
console.log(`skein demo: ${rt.flavor} runtime, ${metrics.numWorkers} workers, ${seconds} s of mixed load and HTTP\n`);
if (view !== undefined) console.log(`console: ${view.url} (task tracking on)\n`);

const { stats, http } = await rt.blockOn(async () => {
  const stop = new CancellationToken();
  const [reportTx, reportRx] = sharedMpsc.channel<Report>(1024);
  const stats: Stats = { checksums: 0, fibs: 0, fibMs: [], routeAnswers: 0, reports: 0 };

  // The collector, on the main thread: every worker task's reports arrive here.
  const collector = spawnLocal(async () => {
    for (let r = await reportRx.recv(); r !== undefined && r.kind !== 'end'; r = await reportRx.recv()) {
      stats.reports++;
      if (r.kind === 'checksum') stats.checksums++;
      else if (r.kind === 'route') stats.routeAnswers++;
      else if (r.kind === 'fib') {
        stats.fibs++;
        stats.fibMs.push(r.ms);
      }
    }
  });

  const users = new Map([
    [1, 'Alice'],
    [2, 'Bob'],
    [3, 'Carol'],
  ]);
  const app = new Router<DemoState>()
    .get('/users/{id}', async (_req, ctx) => {
      const id = Number(ctx.params.id);
      await sleep(2 + (id % 9));
      return users.has(id) ? { id, name: users.get(id) } : Response.json('User not found', { status: 404 });
    })
    .get('/fib/{n}', fibRoute)
    .withState({ reports: reportTx });
  const server = await serve('127.0.0.1:0', app);
  console.log(`HTTP server on ${server.url}: /users/{id} (closure, main thread), /fib/{n} (task(), workers)\n`);

  // The live line: HTTP throughput and latency of the last second, and the runtime's metrics.
  const window = createHistogram();
  const ticker = spawnLocal(async () => {
    const tick = interval(1000);
    await tick.tick();
    let last = metrics.spawnedTasksCount;
    let lastAt = Instant.now();
    while (!stop.isCancelled()) {
      await tick.tick();
      const now = Instant.now();
      console.log(liveLine(metrics, last, now - lastAt, window));
      window.reset();
      last = metrics.spawnedTasksCount;
      lastAt = now;
    }
  });

  // The built-in client: keep-alive connections, three users requests to one fib request.
  let seq = 0;
  const client = spawnLocal(() =>
    load(
      () => (seq++ % 4 === 3 ? `${server.url}/fib/${FIB_ROUTE_N}` : `${server.url}/users/${(seq % 3) + 1}`),
      CONNECTIONS,
      seconds * 1000,
      { onRequest: (ns) => window.record(ns) },
    ),
  );

  // Small CPU tasks, 64 in flight; each reports from its worker.
  const small = spawnLocal(async () => {
    const set = new JoinSet<number>();
    let seed = 1;
    while (!stop.isCancelled()) {
      while (set.size < 64) set.spawn(reportedChecksum, seed++, 20_000, reportTx);
      await set.joinNext();
    }
    await set.shutdown();
  });

  // Big CPU tasks: parallel fib with nested spawns, one after another.
  const big = spawnLocal(async () => {
    while (!stop.isCancelled()) {
      const v = await spawn(reportedFib, 27, 18, reportTx);
      if (v !== 196418) throw new Error(`fib(27) = ${v}?`);
    }
  });

  const http = await client;
  stop.cancel();
  await Promise.all([small, big]);
  await server.shutdown({ timeoutMs: 2_000 });
  // Every producer is done: the channel is FIFO, so 'end' arrives after their reports.
  await reportTx.send({ kind: 'end' });
  await collector;
  ticker.abort();
  return { stats, http };
});

const m = rt.metrics();
const fibMs = stats.fibMs.sort((a, b) => a - b);
console.log('\nsummary');
console.log(
  `  http requests      ${http.requests} (${http.rps} req/s, p50 ${http.p50Ms.toFixed(1)} ms, p99 ${http.p99Ms.toFixed(1)} ms, ${http.errors} errors)`,
);
console.log(`  fib route answers  ${stats.routeAnswers} (computed on the workers)`);
console.log(`  checksum tasks     ${stats.checksums}`);
console.log(
  `  parallel fib(27)   ${stats.fibs} (median ${fibMs.length === 0 ? '-' : fibMs[fibMs.length >> 1]!.toFixed(0)} ms)`,
);
console.log(`  worker reports     ${stats.reports} through one sharedMpsc channel`);
console.log(`  tasks spawned      ${m.spawnedTasksCount}`);
for (let i = 0; i < m.numWorkers; i++) {
  const w = m.worker(i);
  console.log(
    `  worker ${i}: polls ${w.pollCount}, steals ${w.stealCount} in ${w.stealOperations} ops, parks ${w.parkCount}, busy ${w.busyMs.toFixed(0)} ms, overflow ${w.overflowCount}, mean poll ${w.meanPollTimeUs.toFixed(1)} µs`,
  );
}
console.log(`  global queue depth ${m.globalQueueDepth}, alive tasks ${m.numAliveTasks}`);
await view?.close();
await rt.shutdown();
