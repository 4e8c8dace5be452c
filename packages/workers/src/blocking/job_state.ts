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
 * Words live in SharedArrayBuffer chunks and are recycled through a free list once piscina
 * has settled the task (after that no thread reads the word again), so a busy pool
 * allocates no shared memory per job. The first chunk is given to every pool thread once,
 * in `workerData`, and is big enough for every job the pool can have handed to piscina at
 * a time (see {@link JobStateTable}); a job whose word lives there carries only its index.
 * Posting a SharedArrayBuffer with every job would make each message noticeably dearer to
 * send and receive (the buffer is re-registered in the receiving thread each time).
 */

/** The job waits in the queue (or is on its way to a thread). */
export const JOB_QUEUED = 0;
/** A pool thread claimed the job and is running (or has run) it. */
export const JOB_RUNNING = 1;
/** `cancel()` claimed the job first: it must never run. */
export const JOB_CANCELLED = 2;

/** Words per overflow chunk (1 KiB each). */
export const CHUNK_SLOTS = 256;

/** A new chunk of `slots` words, all {@link JOB_QUEUED}. */
function newChunk(slots: number): Int32Array {
  return new Int32Array(new SharedArrayBuffer(slots * Int32Array.BYTES_PER_ELEMENT));
}

/**
 * A growable table of job-state words with a free list (main thread only). A new id is
 * minted only when every earlier one is in use, so as long as at most `primarySlots` jobs
 * hold a word at once, every word is in {@link primary}.
 */
export class JobStateTable {
  /** The chunk pool threads get up front (ids `0 .. primary.length - 1`). */
  readonly primary: Int32Array;
  /** Chunks for ids beyond the primary one; sent along with each job that uses them. */
  readonly #overflow: Int32Array[] = [];
  readonly #free: number[] = [];
  #next = 0;

  constructor(primarySlots: number = CHUNK_SLOTS) {
    this.primary = newChunk(Math.max(1, primarySlots));
  }

  /** Take a word (set to {@link JOB_QUEUED}); returns its id. */
  acquire(): number {
    let id = this.#free.pop();
    if (id === undefined) {
      id = this.#next++;
      const rel = id - this.primary.length;
      if (rel >= this.#overflow.length * CHUNK_SLOTS) this.#overflow.push(newChunk(CHUNK_SLOTS));
    }
    Atomics.store(this.chunkOf(id), this.indexOf(id), JOB_QUEUED);
    return id;
  }

  /** The chunk holding word `id`. */
  chunkOf(id: number): Int32Array {
    const rel = id - this.primary.length;
    return rel < 0 ? this.primary : this.#overflow[Math.floor(rel / CHUNK_SLOTS)]!;
  }

  /** The index of word `id` in {@link chunkOf}(id). */
  indexOf(id: number): number {
    const rel = id - this.primary.length;
    return rel < 0 ? id : rel % CHUNK_SLOTS;
  }

  /** Return word `id` once no thread can read it any more (its piscina task has settled). */
  release(id: number): void {
    this.#free.push(id);
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
