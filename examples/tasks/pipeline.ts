/**
 * Task definitions for examples/pipeline.ts. Side-effect free: worker threads import this
 * module to run them.
 */
import { threadId } from 'node:worker_threads';
import { task, yieldNow } from '@skein/core';
import type { SharedSemaphore, SharedSender } from '@skein/workers';

/** One chunk's result, streamed to the main thread. */
export interface ChunkResult {
  readonly chunk: number;
  readonly primes: number;
  /** The largest prime in the chunk, or 0. */
  readonly largest: number;
  readonly thread: number;
}

function isPrime(n: number): boolean {
  if (n < 2) return false;
  if (n % 2 === 0) return n === 2;
  for (let d = 3; d * d <= n; d += 2) if (n % d === 0) return false;
  return true;
}

/**
 * Stage 1 of the pipeline: counts the primes of chunks `first, first + stride, ...` below
 * `chunks * size` and streams one result per chunk into `tx`. `inFlight` bounds the chunks
 * computed at once across every worker (a permit per chunk, held while it is computed).
 * The task's copy of `tx` is dropped when it returns, so once every stage-1 task is done,
 * the receiver sees the end.
 */
export const countPrimes = task(
  import.meta,
  async function countPrimesTask(
    tx: SharedSender<ChunkResult>,
    inFlight: SharedSemaphore,
    first: number,
    stride: number,
    chunks: number,
    size: number,
  ): Promise<number> {
    let sent = 0;
    for (let chunk = first; chunk < chunks; chunk += stride) {
      let primes = 0;
      let largest = 0;
      {
        using _permit = await inFlight.acquire();
        for (let n = chunk * size; n < (chunk + 1) * size; n++) {
          if (isPrime(n)) {
            primes++;
            largest = n;
          }
        }
      }
      await tx.send({ chunk, primes, largest, thread: threadId });
      sent++;
      await yieldNow();
    }
    return sent;
  },
);
