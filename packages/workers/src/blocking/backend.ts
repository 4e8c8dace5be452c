/**
 * The blocking pool as the runtime sees it: `spawnBlocking(def, ...args)` becomes a job on
 * the {@link BlockingPool}, wrapped in a Joinable so it gets an ordinary JoinHandle.
 *
 * Abort follows Tokio's `spawn_blocking`: a job still queued is removed and never runs; a
 * job already running can't be interrupted, so its thread finishes the work and the result
 * is discarded, while the handle reports cancellation at once.
 */
import { dropPosted, holdsObjects } from '../sync/handle_codec.js';
import type { Logger } from 'pino';
import { JoinError, SerializationError } from '@skein/core';
import {
  ExternalTask,
  allocateTaskId,
  type BlockingBackend,
  type RuntimeConfig,
  type TaskDef,
} from '@skein/core/internal';
import { defaultMaxBlockingThreads } from './defaults.js';
import { BlockingPoolError } from './errors.js';
import { BlockingPool, type JobRecord, type JobSink } from './pool.js';
import { availableParallelism } from 'node:os';

/** One spawnBlocking call; the pool delivers the job's outcome to it directly. */
class BlockingTask<R> extends ExternalTask<R> implements JobSink {
  #job: JobRecord | undefined = undefined;
  /** The backend's tasks without an outcome (shutdown settles them all at once). */
  readonly #live: Set<BlockingTask<unknown>>;
  #aborted = false;
  /** The backend's count of spawns resolving their export name, while this one is. */
  #resolving: { n: number } | undefined = undefined;

  /** `pending` counts spawns still looking up their export name (see queueDepth). */
  constructor(
    pool: BlockingPool,
    def: TaskDef<unknown[], R>,
    args: unknown[],
    logger: Logger,
    pending: { n: number },
    live: Set<BlockingTask<unknown>>,
  ) {
    super(allocateTaskId(), def.exportName ?? def.fn.name, logger);
    this.#live = live;
    live.add(this as BlockingTask<unknown>);
    if (def.exportName !== undefined) {
      this.#submit(pool, def.url, def.exportName, args);
      return;
    }
    pending.n++;
    this.#resolving = pending;
    def.resolveName().then(
      (name) => {
        this.#doneResolving();
        this.#submit(pool, def.url, name, args);
      },
      (err: unknown) => {
        this.#doneResolving();
        dropPosted(args);
        this.settle(false, new JoinError('panic', this.id, err));
      },
    );
  }

  #doneResolving(): void {
    if (this.#resolving !== undefined) this.#resolving.n--;
    this.#resolving = undefined;
  }

  /** Hands the job to the pool, which from then on drops its arguments' handles if it never runs. */
  #submit(pool: BlockingPool, url: string, exportName: string, args: unknown[]): void {
    if (this.#aborted) {
      dropPosted(args);
      return;
    }
    try {
      this.#job = pool.submit(url, exportName, args, this);
    } catch (err) {
      dropPosted(args);
      this.jobFailed(err);
    }
  }

  /** Whether a pool thread is running its job now. */
  get running(): boolean {
    return this.#job?.state === 'running';
  }

  override settle(ok: boolean, value: R | JoinError): void {
    this.#live.delete(this as BlockingTask<unknown>);
    super.settle(ok, value);
  }

  /** @internal The pool's report: the job returned `value`. */
  jobDone(value: unknown): void {
    this.settle(true, value as R);
  }

  /** @internal The pool's report: the job threw, or never ran (a BlockingPoolError). */
  jobFailed(err: unknown): void {
    // Withdrawn (abort, shutdown) or terminated: cancelled. Threads that can't start: a panic.
    if (err instanceof BlockingPoolError && err.kind !== 'spawnFailed')
      this.settle(false, new JoinError('cancelled', this.id));
    else this.settle(false, new JoinError('panic', this.id, err));
  }

  protected onAbort(): void {
    this.#aborted = true;
    this.#doneResolving();
    this.#job?.cancel();
  }
}

/**
 * Whether structured cloning `args` would throw, checked cheaply for the common case of
 * primitive arguments (only a symbol among primitives can't be cloned); anything else is
 * cloned once to find out.
 */
function assertCloneable(args: unknown[]): void {
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    const t = typeof a;
    if (a !== null && (t === 'object' || t === 'function' || t === 'symbol')) {
      structuredClone(args);
      return;
    }
  }
}

/** The runtime's blocking pool. */
class PiscinaBlockingBackend implements BlockingBackend {
  readonly #pool: BlockingPool;
  readonly #logger: Logger;
  /** Spawns still resolving their task's export name: queued, but not in the pool yet. */
  readonly #resolving = { n: 0 };
  readonly #live = new Set<BlockingTask<unknown>>();

  constructor(config: RuntimeConfig, logger: Logger) {
    this.#logger = logger;
    this.#pool = new BlockingPool({
      maxThreads: config.maxBlockingThreads ?? defaultMaxBlockingThreads(availableParallelism()),
      idleTimeoutMs: config.threadKeepAlive,
      threadName: `${config.threadName}-blocking`,
      logger,
    });
  }

  spawn<A extends unknown[], R>(def: TaskDef<A, R>, args: A): BlockingTask<R> {
    try {
      // Shared primitives cross as their buffers (sync/handle_codec.ts); only an object can hold one.
      if (holdsObjects(args)) args = this.#pool.postable(args) as A;
      // Fail at spawn, before anything is queued, like a cross-thread spawn does.
      assertCloneable(args);
    } catch (err) {
      throw new SerializationError(`the arguments of spawnBlocking(${def.exportName ?? def.fn.name})`, err);
    }
    return new BlockingTask<R>(
      this.#pool,
      def as unknown as TaskDef<unknown[], R>,
      args,
      this.#logger,
      this.#resolving,
      this.#live,
    );
  }

  get numThreads(): number {
    return this.#pool.numThreads;
  }
  get numIdleThreads(): number {
    return this.#pool.numIdleThreads;
  }
  get queueDepth(): number {
    return this.#pool.queueDepth + this.#resolving.n;
  }

  /**
   * Shutdown: every handle settles as cancelled now (as `abort()` settles it); running jobs
   * get `timeoutMs` to finish, then their threads are terminated, and the log names them.
   */
  async close(timeoutMs: number | undefined, force: boolean): Promise<void> {
    const running = [...this.#live].filter((t) => t.running);
    for (const t of [...this.#live]) t.abort();
    if (force) return this.#pool.close({ force: true });
    let timer: NodeJS.Timeout | undefined;
    if (timeoutMs !== undefined && running.length > 0) {
      // Fires just before the pool's own timer (registered after it) terminates them.
      timer = setTimeout(() => {
        const jobs = running.filter((t) => t.running).map((t) => `${t.name} (id ${t.id})`);
        if (jobs.length === 0) return;
        this.#logger.warn(
          { graceMs: timeoutMs, jobs },
          `blocking jobs still running ${timeoutMs} ms after shutdown began; ` +
            `terminating their threads: ${jobs.join(', ')}`,
        );
      }, timeoutMs);
    }
    try {
      await this.#pool.close(timeoutMs === undefined ? undefined : { timeoutMs });
    } finally {
      clearTimeout(timer);
    }
  }
}

/** Create the runtime's blocking pool (core calls this lazily, on the first spawnBlocking). */
export function createBlockingBackend(config: RuntimeConfig, logger: Logger): BlockingBackend {
  return new PiscinaBlockingBackend(config, logger);
}
