/**
 * A parallel pipeline across threads: worker tasks count the primes of chunks of a range
 * and stream one result per chunk through a `sharedMpsc` channel to the main thread, which
 * consumes them as they arrive and prints a summary.
 *
 * - `sharedMpsc.channel` carries plain objects (structured clone) between threads; its
 *   capacity gives backpressure: a producer on a worker waits (parking only its task)
 *   while the main thread lags behind.
 * - The sender is passed to each task as an argument: each task's copy counts as a sender
 *   until that task finishes, so `for await` on the receiver ends once every producer is done.
 * - A `SharedSemaphore` bounds how many chunks are computed at once across every worker.
 *
 *   npx tsx examples/pipeline.ts [--below 2000000] [--chunks 40] [--workers 2]
 */
import { parseArgs } from 'node:util';
import { Instant, main, spawn } from '@skein/core';
import { SharedSemaphore, sharedMpsc } from '@skein/workers';
import { countPrimes, type ChunkResult } from './tasks/pipeline.js';

const { values } = parseArgs({
  options: {
    below: { type: 'string', default: '2000000' },
    chunks: { type: 'string', default: '40' },
    workers: { type: 'string', default: '2' },
  },
});
const chunks = Number(values.chunks);
const size = Math.ceil(Number(values.below) / chunks);
const workers = Number(values.workers);

await main(
  async () => {
    const start = Instant.now();
    const [tx, rx] = sharedMpsc.channel<ChunkResult>(8);
    const inFlight = new SharedSemaphore(workers);
    const producers = workers * 2;
    const handles = Array.from({ length: producers }, (_, p) =>
      spawn(countPrimes, tx, inFlight, p, producers, chunks, size),
    );
    tx.close(); // the tasks hold the only senders now

    let primes = 0;
    let largest = 0;
    let received = 0;
    const threads = new Map<number, number>();
    for await (const r of rx) {
      received++;
      primes += r.primes;
      largest = Math.max(largest, r.largest);
      threads.set(r.thread, (threads.get(r.thread) ?? 0) + 1);
      if (received % 10 === 0) console.log(`  ${received}/${chunks} chunks, ${primes} primes so far`);
    }
    let sent = 0;
    for (const h of handles) sent += await h;
    const byThread = [...threads]
      .sort((a, b) => a[0] - b[0])
      .map(([t, n]) => `thread ${t}: ${n}`)
      .join(', ');
    console.log(`pipeline: ${received} of ${sent} chunks received from ${threads.size} worker thread(s) (${byThread})`);
    console.log(
      `primes below ${chunks * size}: ${primes}, largest ${largest}, in ${Math.round(Instant.elapsed(start))} ms`,
    );
  },
  { flavor: 'multi_thread', workerThreads: workers },
);
