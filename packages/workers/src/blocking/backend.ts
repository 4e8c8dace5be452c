/**
 * The blocking pool as the runtime sees it: `spawnBlocking(def, ...args)` becomes a job on
 * the {@link BlockingPool}, wrapped in a Joinable so it gets an ordinary JoinHandle.
 *
 * Abort follows Tokio's `spawn_blocking`: a job still queued is removed and never runs; a
 * job already running can't be interrupted, so its thread finishes the work and the result
 * is discarded, while the handle reports cancellation at once.
 */
import type { Logger } from 'pino';
import { JoinError, SerializationError } from '@skein/core';
import { ExternalTask, allocateTaskId, type BlockingBackend, type RuntimeConfig, type TaskDef } from '@skein/core/internal';
import { defaultMaxBlockingThreads } from './defaults.js';
import { BlockingPoolError } from './errors.js';
import { BlockingPool, type BlockingJob } from './pool.js';
import { availableParallelism } from 'node:os';

/** One spawnBlocking call. */
class BlockingTask<R> extends ExternalTask<R> {
  #job: BlockingJob<R> | undefined = undefined;
  #aborted = false;

  constructor(pool: BlockingPool, def: TaskDef<unknown[], R>, args: unknown[], logger: Logger) {
    super(allocateTaskId(), def.exportName ?? def.fn.name, logger);
    if (def.exportName !== undefined) this.#submit(pool, def.url, def.exportName, args);
    else def.resolveName().then((name) => this.#submit(pool, def.url, name, args), (err: unknown) => this.panic(err));
  }

  #submit(pool: BlockingPool, url: string, exportName: string, args: unknown[]): void {
    if (this.#aborted) return;
    let job: BlockingJob<R>;
    try {
      job = pool.run<R>(url, exportName, args);
    } catch (err) {
      this.#fail(err);
      return;
    }
    this.#job = job;
    job.promise.then((v) => this.succeed(v), (err: unknown) => this.#fail(err));
  }

  #fail(err: unknown): void {
    if (err instanceof BlockingPoolError && err.kind !== 'spawnFailed') this.settle(false, new JoinError('cancelled', this.id));
    else this.panic(err);
  }

  protected onAbort(): void {
    this.#aborted = true;
    this.#job?.cancel();
  }
}

/** The runtime's blocking pool. */
class PiscinaBlockingBackend implements BlockingBackend {
  readonly #pool: BlockingPool;
  readonly #logger: Logger;

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
      // Fail at spawn, before anything is queued, like a cross-thread spawn does.
      structuredClone(args);
    } catch (err) {
      throw new SerializationError(`the arguments of spawnBlocking(${def.exportName ?? def.fn.name})`, err);
    }
    return new BlockingTask<R>(this.#pool, def as unknown as TaskDef<unknown[], R>, args, this.#logger);
  }

  get numThreads(): number { return this.#pool.numThreads; }
  get numIdleThreads(): number { return this.#pool.numIdleThreads; }
  get queueDepth(): number { return this.#pool.queueDepth; }

  close(timeoutMs: number | undefined, force: boolean): Promise<void> {
    if (force) return this.#pool.close({ force: true });
    return this.#pool.close(timeoutMs === undefined ? undefined : { timeoutMs });
  }
}

/** Create the runtime's blocking pool (core calls this lazily, on the first spawnBlocking). */
export function createBlockingBackend(config: RuntimeConfig, logger: Logger): BlockingBackend {
  return new PiscinaBlockingBackend(config, logger);
}
