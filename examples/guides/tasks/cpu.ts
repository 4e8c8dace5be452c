/**
 * CPU-bound task definitions for the guide examples (spawn_blocking.ts,
 * multi_thread_spawn.ts, send_boundaries.ts). Side-effect free: blocking-pool and worker
 * threads import this module to find the functions by their export names, so it must not
 * start runtimes or print anything at import time.
 */
import { createHash } from 'node:crypto';
import { threadId } from 'node:worker_threads';
import { task } from '@skein/core';

/** `(0..n).sum()` from "Practical Patterns and Pitfalls": a loop long enough to block. */
export const sumRange = task(import.meta, function sumRange(n: number): number {
  let sum = 0;
  for (let i = 0; i < n; i++) sum += i;
  return sum;
});

/**
 * `compute_hash(b"large dataset")` from the Tokio guide. Rust's DefaultHasher (SipHash)
 * has no Node equivalent, so this hashes with SHA-256 and keeps 64 bits, the same width
 * as `hasher.finish()`.
 */
export const computeHash = task(import.meta, function computeHash(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex').slice(0, 16);
});

/**
 * `expensive_computation(name)`, made CPU-bound so that running it on two workers at once
 * is visible: it reports the thread it ran on.
 */
export const expensiveComputation = task(import.meta, function expensiveComputation(name: string, n: number): {
  name: string;
  value: number;
  thread: number;
} {
  let x = 0;
  for (let i = 0; i < n; i++) x = (x + i * i) % 1_000_003;
  return { name, value: x, thread: threadId };
});
