/**
 * What a blocking pool's threads hold of the shared primitives, given back when a thread
 * exits (API.md: "a thread that dies releases what its tasks held ... and logs it").
 *
 * The mechanism is the runtime workers' (`sync/thread_ledger.ts`, `sync/dead_thread.ts`),
 * with two differences that piscina imposes:
 * - Every piscina thread gets the same `workerData`, so the pool can't hand each thread a
 *   ledger: the thread allocates its own at start and posts it (`pool_worker.ts`), before
 *   piscina's ready message, so it is here before the thread runs a job.
 * - The pool learns of an exit from the thread's own `exit` event, which Node emits once
 *   per thread after delivering everything the thread posted (further ledger segments
 *   included). Every exit is swept: a crash under a job (`process.exit()`, an uncaught
 *   error, out of memory), an idle timeout, a close. A thread that ends holding nothing logs
 *   nothing; one that dies holding things gives them back exactly once, before its job's
 *   handle rejects (piscina settles the job from its own exit listener, and the rejection
 *   reaches the caller a microtask later).
 *
 * The buffers swept are the pool's {@link CrossedPrimitives}: every primitive a job received.
 */
import type { Worker } from 'node:worker_threads';
import { releaseDeadThread, type DeadThreadLogger } from '../sync/dead_thread.js';
import { CrossedPrimitives } from '../sync/crossed_primitives.js';
import { isLedgerSegment } from '../sync/thread_ledger.js';

/** The part of piscina this needs: its threads, and what they post. */
export interface PoolThreadSource {
  readonly threads: readonly Worker[];
  on(event: 'message', listener: (message: unknown) => void): unknown;
}

/** The ledgers of one pool's threads. */
export class PoolThreadLedgers {
  /** Every primitive a job of this pool received (the jobs' arguments add to it). */
  readonly crossed = new CrossedPrimitives();
  readonly #logger: DeadThreadLogger;
  /** The ledger segments of each live thread, by threadId. */
  readonly #ledgers = new Map<number, SharedArrayBuffer[]>();

  /** Listens to `pool` for its threads' ledgers; warnings go to `logger`. */
  constructor(pool: PoolThreadSource, logger: DeadThreadLogger) {
    this.#logger = logger;
    pool.on('message', (m) => {
      if (!isLedgerSegment(m)) return;
      const known = this.#ledgers.get(m.threadId);
      if (known !== undefined) {
        known.push(m.ledger);
        return;
      }
      // Found unless the thread failed while starting, before running any job.
      const thread = pool.threads.find((t) => t.threadId === m.threadId);
      if (thread === undefined) return;
      const segments = [m.ledger];
      this.#ledgers.set(m.threadId, segments);
      thread.once('exit', () => {
        this.#ledgers.delete(m.threadId);
        releaseDeadThread(m.threadId, segments, this.crossed.buffers(), this.#logger, 'blocking');
      });
    });
  }
}
