/**
 * skein task definitions for the shared_sync benchmarks (side-effect free: workers import
 * this module to find a task by its export name).
 */
import { task, yieldNow } from '@skein/core';
import type { SharedMutex, SharedSemaphore, SharedSender } from '@skein/workers';

/** Sends 0..count-1 on the channel. */
export const produce = task(
  import.meta,
  async function produce(tx: SharedSender<number>, count: number): Promise<void> {
    for (let i = 0; i < count; i++) await tx.send(i);
  },
);

/** Locks, bumps, unlocks `times` times. */
export const bump = task(import.meta, async function bump(m: SharedMutex<number>, times: number): Promise<void> {
  for (let i = 0; i < times; i++) {
    const g = await m.lock();
    g.value = g.value + 1;
    g.release();
  }
});

/** Acquires and releases a permit `times` times, yielding while it holds it every 10th time. */
export const churn = task(import.meta, async function churn(sem: SharedSemaphore, times: number): Promise<void> {
  for (let i = 0; i < times; i++) {
    const p = await sem.acquire();
    if (i % 10 === 0) await yieldNow();
    p.release();
  }
});
