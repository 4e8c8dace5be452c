/**
 * skein task definitions for the multi-thread benchmarks: the same work as
 * peers/work.mjs, as `task()` definitions. Side-effect free (workers import it).
 */
import { join, spawn, task, yieldNow, oneshot, type Task } from '@skein/core';
import { fib as seqFib } from '../peers/work.mjs';

/** The tiny task: `x => x + 1`. */
export const inc = task(import.meta, function inc(x: number): number {
  return x + 1;
});

/** Sequential fib(n) on one worker. */
export const fib = task(import.meta, function fib(n: number): number {
  return seqFib(n);
});

/** Parallel fib: nested spawns down to `cutoff`. */
// The inner function has another name: inside it, the export is what must be spawned.
export const pfib: Task<[number, number], number> = task(
  import.meta,
  async function parallelFib(n: number, cutoff: number): Promise<number> {
    if (n <= cutoff) return seqFib(n);
    const [a, b] = await join(spawn(pfib, n - 1, cutoff), spawn(pfib, n - 2, cutoff));
    return a + b;
  },
);

/** yield_many's task: `yields` × yieldNow on a worker. */
export const yielder = task(import.meta, async function yielder(yields: number): Promise<void> {
  for (let i = 0; i < yields; i++) await yieldNow();
});

/** spawn_many on a worker: spawn `n` tiny tasks from inside a worker and await them. */
export const spawnMany = task(import.meta, async function spawnMany(n: number): Promise<number> {
  const hs = [];
  for (let i = 0; i < n; i++) hs.push(spawn(inc, i));
  let s = 0;
  for (const h of hs) s += await h;
  return s;
});

/** chained_spawn: each task spawns the next, `n` deep. */
export const chain: Task<[number], number> = task(import.meta, async function chainStep(n: number): Promise<number> {
  if (n === 0) return 0;
  return (await spawn(chain, n - 1)) + 1;
});

/** ping_pong on a worker: spawn + a oneshot round trip, `n` times. */
export const pingPong = task(import.meta, async function pingPong(n: number): Promise<number> {
  let s = 0;
  for (let i = 0; i < n; i++) {
    const [tx, rx] = oneshot.channel<number>();
    spawn(() => {
      tx.send(i);
    });
    s += await rx;
  }
  return s;
});
