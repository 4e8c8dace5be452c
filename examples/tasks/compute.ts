/**
 * CPU-bound task definitions for the demo. Side-effect free: worker threads import this
 * module to run them.
 */
import { join, spawn, task, type Task } from '@skein/core';

function seqFib(n: number): number {
  return n < 2 ? n : seqFib(n - 1) + seqFib(n - 2);
}

/**
 * Parallel fib: splits into two spawned subtasks down to `cutoff`, then computes
 * sequentially. Every split is a nested spawn into the worker's own deque, where idle
 * workers can steal it. (The inner function has its own name: inside it, `fib` must mean
 * the exported task, which is what gets spawned.)
 */
export const fib: Task<[number, number], number> = task(
  import.meta,
  async function parallelFib(n: number, cutoff: number): Promise<number> {
    if (n <= cutoff) return seqFib(n);
    const [a, b] = await join(spawn(fib, n - 1, cutoff), spawn(fib, n - 2, cutoff));
    return a + b;
  },
);

/** A checksum over `size` pseudo-random bytes: a small, fixed slice of CPU work. */
export const checksum = task(import.meta, function checksum(seed: number, size: number): number {
  let x = seed | 0;
  let sum = 0;
  for (let i = 0; i < size; i++) {
    x = (x * 1103515245 + 12345) | 0;
    sum = (sum + (x >>> 16)) | 0;
  }
  return sum >>> 0;
});
