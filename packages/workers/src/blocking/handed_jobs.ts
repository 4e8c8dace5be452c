/**
 * The jobs a blocking pool has handed to piscina, whose piscina tasks haven't settled, and
 * what waits for them to finish (a graceful `close()`).
 *
 * A handed job is either running on a thread or waiting in piscina's queue until a thread
 * claims its state word (`job_state.ts`); the pool counts hand-offs against its threads,
 * answers its metrics from the words, and on close waits until none is left unsettled.
 */
import type { JobRecord } from './job.js';
import { JOB_QUEUED, JOB_RUNNING } from './job_state.js';

/** Jobs handed to piscina (at most the pool's hand-off limit). */
export class HandedJobs {
  readonly #jobs = new Set<JobRecord>();
  readonly #drainWaiters = new Set<() => void>();

  get size(): number {
    return this.#jobs.size;
  }

  add(rec: JobRecord): void {
    this.#jobs.add(rec);
  }

  delete(rec: JobRecord): void {
    this.#jobs.delete(rec);
  }

  /** Forget every job (their piscina tasks may never settle: threads can't start). */
  clear(): void {
    this.#jobs.clear();
  }

  [Symbol.iterator](): IterableIterator<JobRecord> {
    return this.#jobs.values();
  }

  /** Jobs a thread is running now (`unsettled`: only those whose promise is still pending). */
  running(unsettled = false): number {
    let n = 0;
    for (const rec of this.#jobs) {
      if (unsettled && rec.settled) continue;
      if (Atomics.load(rec.states, rec.index) === JOB_RUNNING) n++;
    }
    return n;
  }

  /** Jobs handed but not claimed by a thread yet (their word still queued). */
  waiting(): number {
    let n = 0;
    for (const rec of this.#jobs) if (Atomics.load(rec.states, rec.index) === JOB_QUEUED) n++;
    return n;
  }

  /** No handed job is still unsettled (running, or claimable by a thread). */
  allSettled(): boolean {
    for (const rec of this.#jobs) if (!rec.settled) return false;
    return true;
  }

  /** A job's promise settled: wake what waits in {@link whenAllSettled} once none is left. */
  jobSettled(): void {
    if (this.#drainWaiters.size > 0 && this.allSettled()) {
      for (const wake of [...this.#drainWaiters]) wake();
    }
  }

  /** Resolves once {@link allSettled} holds, or after `timeoutMs`. */
  whenAllSettled(timeoutMs: number | undefined): Promise<void> {
    if (this.allSettled()) return Promise.resolve();
    return new Promise<void>((resolve) => {
      let timer: NodeJS.Timeout | undefined;
      const wake = (): void => {
        if (timer !== undefined) clearTimeout(timer);
        this.#drainWaiters.delete(wake);
        resolve();
      };
      this.#drainWaiters.add(wake);
      if (timeoutMs !== undefined && timeoutMs !== Infinity) timer = setTimeout(wake, timeoutMs);
      // A force close meanwhile terminates everything, which settles every job and wakes us.
    });
  }
}
