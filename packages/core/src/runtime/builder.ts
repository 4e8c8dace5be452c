/**
 * `Runtime.builder()`: Tokio's `runtime::Builder`. Every setter validates at once (a bad
 * value throws RangeError/TypeError with a code where it was written, not later at build).
 */
import type { Logger } from 'pino';
import { assertNoTaskModuleImport } from '../task/task_module_import.js';
import { assertFunction, assertNumber, typeError } from '../errors/invalid_argument.js';
import { isTaskDef } from '../task/task_def.js';
import { loadWorkers } from './backends.js';
import { defaultConfig, defaultWorkerThreads, trackingFromEnv, type RuntimeConfig, type ThreadHook } from './config.js';
import { startConsoleFromEnv } from './console_loader.js';
import { runtimeOf, type Runtime } from './runtime.js';

/** Configures and builds a {@link Runtime}. */
export class Builder {
  readonly #c: RuntimeConfig = defaultConfig();
  #workerThreadsSet = false;

  /** The current-thread flavour (the default): every task on the main event loop. */
  currentThread(): this {
    this.#c.flavor = 'current_thread';
    return this;
  }

  /** The multi-thread flavour: `task()` definitions run on worker threads with work stealing. */
  multiThread(): this {
    this.#c.flavor = 'multi_thread';
    return this;
  }

  /** Worker threads (multi-thread only). Default: `SKEIN_WORKER_THREADS`, else one per core. */
  workerThreads(n: number): this {
    assertNumber(n, 'workerThreads', 1, true);
    this.#c.workerThreads = n;
    this.#workerThreadsSet = true;
    return this;
  }

  /** Cap of the blocking pool (see @skein/workers for the default and why). */
  maxBlockingThreads(n: number): this {
    assertNumber(n, 'maxBlockingThreads', 1, true);
    this.#c.maxBlockingThreads = n;
    return this;
  }

  /** Idle blocking threads exit after this many ms (default 10 000). */
  threadKeepAlive(ms: number): this {
    assertNumber(ms, 'threadKeepAlive', 0);
    this.#c.threadKeepAlive = ms;
    return this;
  }

  /**
   * How long `shutdown()` waits for a thread still running a task (worker or blocking
   * thread) before terminating it, as `shutdownTimeout(ms)` does; the log names the tasks
   * it was running. Default 5 000 ms. Task handles settle as cancelled when shutdown
   * begins either way.
   */
  shutdownGracePeriod(ms: number): this {
    assertNumber(ms, 'shutdownGracePeriod', 0);
    this.#c.shutdownGracePeriod = ms;
    return this;
  }

  /** Prefix of worker thread names. */
  threadName(prefix: string): this {
    if (typeof prefix !== 'string') throw typeError('The "prefix" argument must be a string');
    this.#c.threadName = prefix;
    return this;
  }

  /** Start with the clock paused (current-thread only, as in Tokio). */
  startPaused(paused = true): this {
    if (typeof paused !== 'boolean') throw typeError('The "paused" argument must be a boolean');
    this.#c.startPaused = paused;
    return this;
  }

  /** Scheduler ticks between checks of timers and I/O (workers). */
  eventInterval(n: number): this {
    assertNumber(n, 'eventInterval', 1, true);
    this.#c.eventInterval = n;
    return this;
  }

  /** Scheduler ticks between checks of the global queue (workers). */
  globalQueueInterval(n: number): this {
    assertNumber(n, 'globalQueueInterval', 1, true);
    this.#c.globalQueueInterval = n;
    return this;
  }

  /** Turn off the LIFO slot optimisation (workers). */
  disableLifoSlot(): this {
    this.#c.disableLifoSlot = true;
    return this;
  }

  /** Called as each runtime thread starts; see thread_hooks.ts for where it runs. */
  onThreadStart(fn: ThreadHook): this {
    if (!isTaskDef(fn)) assertFunction(fn, 'fn');
    this.#c.onThreadStart = fn;
    return this;
  }

  /** Called as each runtime thread stops. */
  onThreadStop(fn: ThreadHook): this {
    if (!isTaskDef(fn)) assertFunction(fn, 'fn');
    this.#c.onThreadStop = fn;
    return this;
  }

  /** A pino logger, or a level for the default one (`'silent'`, `'info'`, …). */
  logger(loggerOrLevel: Logger | string): this {
    if (
      typeof loggerOrLevel !== 'string' &&
      (typeof loggerOrLevel !== 'object' || loggerOrLevel === null || typeof loggerOrLevel.warn !== 'function')
    ) {
      throw typeError('logger() takes a pino logger or a level name');
    }
    this.#c.logger = loggerOrLevel;
    return this;
  }

  /**
   * Task tracking (default: `SKEIN_TRACKING=1` in the environment at `build()`, else off):
   * every task on every thread records its spawn site, polls, busy, scheduled and idle
   * time, and what it is parked on and where, for `runtime.taskDump()` and the console;
   * long polls and stuck tasks are logged as warnings. It costs time on every spawn, poll
   * and await; off, it costs nothing measurable.
   */
  taskTracking(on = true): this {
    if (typeof on !== 'boolean') throw typeError('The "on" argument must be a boolean');
    this.#c.taskTracking = on;
    return this;
  }

  /** A poll longer than `ms` (default 50) is a 'long-poll' warning (with task tracking). */
  longPollThreshold(ms: number): this {
    assertNumber(ms, 'longPollThreshold', 0);
    this.#c.longPollThreshold = ms;
    return this;
  }

  /**
   * A task parked longer than `ms` (default 10 000) on a promise the runtime doesn't drive
   * is a 'stuck' warning (with task tracking).
   */
  stuckThreshold(ms: number): this {
    assertNumber(ms, 'stuckThreshold', 0);
    this.#c.stuckThreshold = ms;
    return this;
  }

  /** @internal Apply a partial config (the shorthands and `main()` use this). */
  configure(opts: Partial<RuntimeConfig>): this {
    if (opts.flavor === 'multi_thread') this.multiThread();
    else if (opts.flavor === 'current_thread') this.currentThread();
    if (opts.workerThreads !== undefined) this.workerThreads(opts.workerThreads);
    if (opts.maxBlockingThreads !== undefined) this.maxBlockingThreads(opts.maxBlockingThreads);
    if (opts.threadKeepAlive !== undefined) this.threadKeepAlive(opts.threadKeepAlive);
    if (opts.shutdownGracePeriod !== undefined) this.shutdownGracePeriod(opts.shutdownGracePeriod);
    if (opts.threadName !== undefined) this.threadName(opts.threadName);
    if (opts.startPaused !== undefined) this.startPaused(opts.startPaused);
    if (opts.eventInterval !== undefined) this.eventInterval(opts.eventInterval);
    if (opts.globalQueueInterval !== undefined) this.globalQueueInterval(opts.globalQueueInterval);
    if (opts.disableLifoSlot === true) this.disableLifoSlot();
    if (opts.onThreadStart !== undefined) this.onThreadStart(opts.onThreadStart);
    if (opts.onThreadStop !== undefined) this.onThreadStop(opts.onThreadStop);
    if (opts.logger !== undefined) this.logger(opts.logger);
    if (opts.taskTracking !== undefined) this.taskTracking(opts.taskTracking);
    if (opts.longPollThreshold !== undefined) this.longPollThreshold(opts.longPollThreshold);
    if (opts.stuckThreshold !== undefined) this.stuckThreshold(opts.stuckThreshold);
    return this;
  }

  /**
   * Build the runtime. Errors: SkeinError `ERR_SKEIN_PAUSE_FLAVOR` for `startPaused` on the
   * multi-thread flavour; `ERR_SKEIN_WORKERS_MISSING` when the flavour needs @skein/workers;
   * TaskModuleSideEffectError when a worker thread runs it while importing a task module;
   * RangeError `ERR_SKEIN_INVALID_ENV` for a bad `SKEIN_TRACKING` or `SKEIN_CONSOLE`;
   * `ERR_SKEIN_CONSOLE_MISSING` when `SKEIN_CONSOLE` is set without @skein/console.
   */
  async build(): Promise<Runtime> {
    assertNoTaskModuleImport('Runtime.builder().build()');
    const config: RuntimeConfig = { ...this.#c };
    config.taskTracking ??= trackingFromEnv();
    if (config.flavor === 'multi_thread') {
      if (!this.#workerThreadsSet) config.workerThreads = defaultWorkerThreads();
      if (config.startPaused) {
        const { SkeinError } = await import('../errors/skein_error.js');
        throw new SkeinError(
          'ERR_SKEIN_PAUSE_FLAVOR',
          "startPaused needs the current-thread flavour (Tokio's rule): use Runtime.builder().currentThread().startPaused(true)",
        );
      }
    } else {
      config.workerThreads = 1;
    }
    const rt = runtimeOf(config, await loadWorkers());
    await rt.start();
    if (process.env.SKEIN_CONSOLE) await startConsoleFromEnv(rt);
    return rt;
  }
}
