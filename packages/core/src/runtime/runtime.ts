/**
 * The Runtime: Tokio's `Runtime`, for Node.
 *
 * Whatever the flavour, the main thread has a scheduler and timer wheel of its own: the
 * `blockOn` root, closures and `spawnLocal` tasks run there. The current-thread flavour
 * runs `task()` definitions there too; the multi-thread flavour hands them to the worker
 * scheduler in @skein/workers. `spawnBlocking` goes to the blocking pool in both.
 */
import type { Logger } from 'pino';
import { assertDuration, assertFunction, typeError } from '../errors/invalid_argument.js';
import { RuntimeShutdownError } from '../errors/skein_error.js';
import { JoinError } from '../errors/join_error.js';
import type { RuntimeMetrics } from '../metrics/runtime_metrics.js';
import { joinHandle, type JoinHandle } from '../task/join_handle.js';
import type { Joinable } from '../task/joinable.js';
import { LocalTask } from '../task/task.js';
import { OwnedTasks } from '../task/owned_tasks.js';
import { assertSendableArgs } from '../task/sendable.js';
import { assertBlockingDef, spawnTarget, type TaskDef } from '../task/task_def.js';
import { TimeDriver } from '../time/driver.js';
import {
  WorkersMissingError,
  type BlockingBackend,
  type MultiThreadBackend,
  type TaskDumpEntry,
  type WorkersModule,
} from './backends.js';
import type { RuntimeConfig } from './config.js';
import { Builder } from './builder.js';
import { handleOf, type Handle } from './handle.js';
import { makeLogger } from './logger.js';
import { runtimeMetrics } from './metrics.js';
import type { SpawnOptions } from './runtime_core.js';
import { Scheduler } from './scheduler.js';
import { taskDumpEntry } from './task_dump.js';
import { TaskRecorder } from '../task/tracking.js';
import { runThreadHook } from './thread_hooks.js';

/** Set by Runtime's static block, the one place that may call its private constructor. */
let construct: (config: RuntimeConfig, workers: WorkersModule | undefined) => Runtime;

/**
 * A runtime not yet started (`start()` finishes it). `Builder.build()` makes runtimes through
 * this, so the constructor can stay private and out of the public declarations.
 */
export function runtimeOf(config: RuntimeConfig, workers: WorkersModule | undefined): Runtime {
  return construct(config, workers);
}

/**
 * An async runtime. Build one with `Runtime.builder()` or the shorthands.
 *
 * It is a RuntimeCore (its tasks take `this` as one), but doesn't say so with `implements`:
 * part of that interface is tagged internal here, so stripped from the published .d.ts,
 * where the clause would then no longer type-check.
 */
export class Runtime {
  readonly flavor: 'current_thread' | 'multi_thread';
  readonly scheduler: Scheduler;
  readonly time: TimeDriver;
  readonly logger: Logger;
  /** @internal */
  readonly config: Readonly<RuntimeConfig>;
  #shutdown: Promise<void> | undefined = undefined;
  readonly #owned = new OwnedTasks();
  #spawned = 0;
  #roots = new Set<LocalTask<unknown>>();
  /** Names given at spawn to tasks now on workers (see startTask). */
  readonly #remoteNames = new Map<number, string>();
  #workers: WorkersModule | undefined;
  #multi: MultiThreadBackend | undefined = undefined;
  #blocking: BlockingBackend | undefined = undefined;

  /** Use `Runtime.builder().build()`. */
  private constructor(config: RuntimeConfig, workers: WorkersModule | undefined) {
    this.config = config;
    this.flavor = config.flavor;
    this.logger = makeLogger(config.logger);
    const tracker =
      config.taskTracking === true
        ? new TaskRecorder(
            { longPollMs: config.longPollThreshold, stuckMs: config.stuckThreshold },
            this.logger.child({ worker: 'main' }),
            () => this.#owned,
          )
        : undefined;
    this.time = new TimeDriver();
    this.scheduler = new Scheduler({ tracker, onIdle: this.time.schedulerIdle, onBusy: this.time.schedulerBusy });
    if (config.startPaused) this.time.clock.pause();
    this.#workers = workers;
  }

  static {
    construct = (config, workers) => new Runtime(config, workers);
  }

  /** @internal Finish building: start worker threads for the multi-thread flavour. */
  async start(): Promise<void> {
    if (this.flavor === 'multi_thread') {
      if (this.#workers === undefined) throw new WorkersMissingError('the multi-thread runtime');
      this.#multi = await this.#workers.createMultiThreadBackend(
        this.config,
        this,
        this.logger.child({ worker: 'main' }),
      );
    } else {
      runThreadHook(this.config.onThreadStart, 'main', this.logger);
    }
  }

  /** A builder; see the Builder's methods for every option. */
  static builder(): Builder {
    return new Builder();
  }

  /** Build a current-thread runtime (the default flavour). */
  static currentThread(opts?: Partial<RuntimeConfig>): Promise<Runtime> {
    return Runtime.builder()
      .configure({ ...opts, flavor: 'current_thread' })
      .build();
  }

  /** Build a multi-thread runtime with `opts.workerThreads` workers (default: one per core). */
  static multiThread(opts?: Partial<RuntimeConfig>): Promise<Runtime> {
    return Runtime.builder()
      .configure({ ...opts, flavor: 'multi_thread' })
      .build();
  }

  get isShutdown(): boolean {
    return this.#shutdown !== undefined;
  }

  /**
   * Run `f` as the root task and resolve with its value. Rethrows the root's own error
   * unwrapped. Inside, `spawn`, `sleep` and friends find this runtime.
   */
  async blockOn<T>(f: PromiseLike<T> | (() => T | PromiseLike<T>)): Promise<T> {
    this.#checkOpen('blockOn');
    const fn = typeof f === 'function' ? f : () => f;
    if (
      typeof f !== 'function' &&
      (f === null || typeof f !== 'object' || typeof (f as PromiseLike<T>).then !== 'function')
    ) {
      throw typeError('blockOn() takes a promise or a function');
    }
    const root = new LocalTask<T>(this, fn, undefined, 'blockOn');
    root.markObserved();
    this.#roots.add(root as LocalTask<unknown>);
    this.scheduler.schedule(root);
    try {
      return await root.join();
    } catch (err) {
      if (err instanceof JoinError && err.isPanic()) throw err.cause;
      throw err;
    } finally {
      this.#roots.delete(root as LocalTask<unknown>);
    }
  }

  /** Spawn a task definition (to the workers in the multi-thread flavour) or a closure (here). */
  spawn<A extends unknown[], R>(t: TaskDef<A, R>, ...args: A): JoinHandle<R>;
  spawn<R>(fn: () => R | PromiseLike<R>): JoinHandle<Awaited<R>>;
  spawn(t: unknown, ...args: unknown[]): JoinHandle<unknown> {
    const target = spawnTarget(t, args.length, 'runtime.spawn()');
    if (target !== undefined && typeof target !== 'function') return this.spawnTask(target, args);
    assertFunction(target, 'task');
    return this.spawnLocal(target);
  }

  /** Spawn a closure on the main thread. */
  spawnLocal<R>(fn: () => R | PromiseLike<R>, opts?: SpawnOptions): JoinHandle<R> {
    assertFunction(fn, 'fn');
    this.#checkOpen('spawn');
    return joinHandle(this.startLocal(fn, opts));
  }

  /** @internal Spawn a task definition where this flavour runs them. */
  spawnTask<A extends unknown[], R>(def: TaskDef<A, R>, args: A): JoinHandle<R> {
    this.#checkOpen('spawn');
    return joinHandle(this.startTask(def, args));
  }

  /** @internal `spawnLocal` without the JoinHandle (see RuntimeCore). */
  startLocal<R>(fn: () => R | PromiseLike<R>, opts?: SpawnOptions): LocalTask<R> {
    const t = new LocalTask<R>(this, fn, undefined, opts?.name);
    this.#link(t as LocalTask<unknown>);
    if (this.scheduler.tracker !== undefined) this.scheduler.tracker.spawned(t as LocalTask<unknown>, fn);
    this.scheduler.schedule(t);
    return t;
  }

  /** @internal `spawnTask` without the JoinHandle. */
  startTask<A extends unknown[], R>(def: TaskDef<A, R>, args: A, opts?: SpawnOptions): Joinable<R> {
    const name = opts?.name;
    if (this.#multi !== undefined) {
      const j = this.#multi.spawn(def, args);
      if (name !== undefined) this.#nameRemote(j, name);
      return j;
    }
    assertSendableArgs(args, def.exportName ?? def.fn.name);
    const t = new LocalTask<R>(
      this,
      def.fn as unknown as (...a: never[]) => R | PromiseLike<R>,
      args,
      name ?? def.exportName ?? def.fn.name,
    );
    this.#link(t as LocalTask<unknown>);
    if (this.scheduler.tracker !== undefined) this.scheduler.tracker.spawned(t as LocalTask<unknown>, def.fn);
    this.scheduler.schedule(t);
    return t;
  }

  /**
   * Run a task definition on the blocking pool (piscina threads, separate from the workers).
   * Errors: NotSendableError for a closure; RuntimeShutdownError after shutdown.
   */
  spawnBlocking<A extends unknown[], R>(def: TaskDef<A, R>, ...args: A): JoinHandle<R>;
  spawnBlocking(def: unknown, ...args: unknown[]): JoinHandle<unknown> {
    assertBlockingDef(def);
    return this.spawnBlockingTask(def, args);
  }

  /** @internal */
  spawnBlockingTask<A extends unknown[], R>(def: TaskDef<A, R>, args: A): JoinHandle<R> {
    this.#checkOpen('spawnBlocking');
    return joinHandle(this.startBlocking(def, args));
  }

  /** @internal `spawnBlockingTask` without the JoinHandle. */
  startBlocking<A extends unknown[], R>(def: TaskDef<A, R>, args: A): Joinable<R> {
    this.#spawned++;
    return this.#blockingPool().spawn(def, args);
  }

  #blockingPool(): BlockingBackend {
    if (this.#blocking === undefined) {
      if (this.#workers === undefined) throw new WorkersMissingError('spawnBlocking');
      this.#blocking = this.#workers.createBlockingBackend(this.config, this.logger.child({ pool: 'blocking' }));
    }
    return this.#blocking;
  }

  /** A cheap, cloneable reference to this runtime. */
  handle(): Handle {
    return handleOf(this);
  }

  /** Live metrics; see {@link RuntimeMetrics}. */
  metrics(): RuntimeMetrics {
    return runtimeMetrics({
      scheduler: this.scheduler,
      multi: () => this.#multi,
      blocking: () => this.#blocking,
      alive: () => this.#owned.count,
      spawned: () => this.#spawned,
    });
  }

  /**
   * Every live task (main thread and workers); see TaskDumpEntry for the fields. It never
   * waits long for a worker busy in a poll: that worker's tasks come from shared memory,
   * marked `stale`.
   */
  async taskDump(): Promise<TaskDumpEntry[]> {
    const local: TaskDumpEntry[] = [];
    for (const t of this.#owned) local.push(taskDumpEntry(t, 'main', this.scheduler.tracker));
    if (this.#multi === undefined) return local;
    const names = this.#remoteNames;
    for (const e of await this.#multi.taskDump()) {
      const name = names.get(e.id);
      local.push(name === undefined ? e : { ...e, name });
    }
    return local;
  }

  /**
   * Abort every task and resolve once each task that was parked on a runtime await has run
   * its cleanup (`finally`). Tasks stuck on foreign promises are detached, not awaited, so
   * this never hangs. Then the worker and blocking threads stop. Every JoinHandle settles
   * (as cancelled, unless it already had an outcome) as soon as this is called. A thread
   * still running a task after the grace period (`Builder.shutdownGracePeriod`, default
   * 5 s) is terminated, and the log names the tasks it was running.
   */
  shutdown(): Promise<void> {
    return (this.#shutdown ??= this.#doShutdown(undefined, false));
  }

  /** Like {@link shutdown}, but after `ms` stop waiting and terminate busy threads. */
  shutdownTimeout(ms: number): Promise<void> {
    assertDuration(ms, 'ms');
    return (this.#shutdown ??= this.#doShutdown(ms, false));
  }

  /** Start shutting down and return at once; threads are terminated, nothing waits. */
  shutdownBackground(): void {
    this.#shutdown ??= this.#doShutdown(0, true);
    this.#shutdown.catch(() => undefined);
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.shutdown();
  }

  async #doShutdown(timeoutMs: number | undefined, background: boolean): Promise<void> {
    const waits = [this.#owned.cancelAll(this, this.#roots)];
    const stopping: Promise<unknown>[] = [];
    // Threads still busy after this are terminated: shutdown never hangs on a stuck task.
    const grace = timeoutMs ?? this.config.shutdownGracePeriod;
    if (this.#multi !== undefined) {
      if (background) this.#multi.shutdownBackground();
      else stopping.push(this.#multi.shutdown(grace));
    }
    if (this.#blocking !== undefined) stopping.push(this.#blocking.close(grace, background));
    const all = Promise.all([...waits, ...stopping]).then(() => undefined);
    if (!background) {
      if (timeoutMs === undefined) await all;
      else await raceTimeout(all, timeoutMs);
    }
    this.time.close();
    this.scheduler.tracker?.close();
    if (this.flavor === 'current_thread') runThreadHook(this.config.onThreadStop, 'main', this.logger);
  }

  /** Remember the name of a task on a worker (which knows only its definition's name) until it settles. */
  #nameRemote(j: Joinable<unknown>, name: string): void {
    this.#remoteNames.set(j.id, name);
    j.onSettled(() => this.#remoteNames.delete(j.id));
  }

  #checkOpen(what: string): void {
    if (this.#shutdown !== undefined) throw new RuntimeShutdownError(what);
  }

  #link(t: LocalTask<unknown>): void {
    this.#spawned++;
    this.#owned.insert(t);
  }

  /** @internal */
  taskSettled(t: LocalTask<unknown>): void {
    this.#owned.remove(t);
  }
}

function raceTimeout(p: Promise<void>, ms: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    timer.unref();
    p.then(() => {
      clearTimeout(timer);
      resolve();
    }, reject);
  });
}
