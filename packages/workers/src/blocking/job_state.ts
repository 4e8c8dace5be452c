/**
 * Shared job-state words: who decides whether a queued blocking job still runs.
 *
 * Tokio's `spawn_blocking` handle can be dropped: a job that has not started is removed and
 * never runs, a job that has started finishes and its result is thrown away. piscina can
 * abort a queued task, but aborting one that a thread already holds terminates that thread,
 * and the main thread can't see when a thread picks a task up. So every job owns one
 * Int32 word in shared memory, starting at {@link JOB_QUEUED}. The pool thread moves it to
 * {@link JOB_RUNNING} with `Atomics.compareExchange` just before calling the function;
 * `cancel()` moves it to {@link JOB_CANCELLED} the same way. Exactly one of them wins, so a
 * cancelled job never runs and a running job is never reported as cancelled.
 *
 * Words live in SharedArrayBuffer chunks of {@link CHUNK_SLOTS} and are recycled through a
 * free list once piscina has settled the task (after that no thread reads the word again),
 * so a busy pool allocates no shared memory per job.
 */

/** The job waits in the queue (or is on its way to a thread). */
export const JOB_QUEUED = 0;
/** A pool thread claimed the job and is running (or has run) it. */
export const JOB_RUNNING = 1;
/** `cancel()` claimed the job first: it must never run. */
export const JOB_CANCELLED = 2;

/** Words per shared chunk (1 KiB each). */
export const CHUNK_SLOTS = 256;

/** One job's state word: the view and the index into it. */
export interface JobStateSlot {
  /** The chunk the word lives in (SharedArrayBuffer-backed; shared, not copied, by postMessage). */
  readonly states: Int32Array;
  /** Index of the word in `states`. */
  readonly index: number;
  /** Table-wide id, for {@link JobStateTable.release}. */
  readonly id: number;
}

/** A growable table of job-state words with a free list (main thread only). */
export class JobStateTable {
  readonly #chunks: Int32Array[] = [];
  readonly #free: number[] = [];
  #next = 0;

  /** Take a word, set to {@link JOB_QUEUED}. */
  acquire(): JobStateSlot {
    let id = this.#free.pop();
    if (id === undefined) {
      id = this.#next++;
      if (id >= this.#chunks.length * CHUNK_SLOTS) {
        this.#chunks.push(new Int32Array(new SharedArrayBuffer(CHUNK_SLOTS * Int32Array.BYTES_PER_ELEMENT)));
      }
    }
    const states = this.#chunks[Math.floor(id / CHUNK_SLOTS)]!;
    const index = id % CHUNK_SLOTS;
    Atomics.store(states, index, JOB_QUEUED);
    return { states, index, id };
  }

  /** Return a word once no thread can read it any more (its piscina task has settled). */
  release(slot: JobStateSlot): void {
    this.#free.push(slot.id);
  }
}

/** Main thread: claim a queued job for cancellation. True if it will now never run. */
export function tryCancel(states: Int32Array, index: number): boolean {
  return Atomics.compareExchange(states, index, JOB_QUEUED, JOB_CANCELLED) === JOB_QUEUED;
}

/** Pool thread: claim a job for running. False if it was cancelled first (skip it). */
export function tryStart(states: Int32Array, index: number): boolean {
  return Atomics.compareExchange(states, index, JOB_QUEUED, JOB_RUNNING) === JOB_QUEUED;
}
