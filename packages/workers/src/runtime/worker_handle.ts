/**
 * What `Handle.current()` wraps inside a task on a multi-thread worker.
 *
 * In Tokio every worker thread carries the runtime's `Handle`, so `Handle::current()` works
 * in any task: to spawn from a callback, to pass the handle on, to read metrics. Here the
 * main thread's `Runtime` can't be reached synchronously from a worker, so each worker has
 * its own target that does what the same call does on that worker through the free
 * functions, with the argument checks and typed errors of `Runtime`:
 * - `spawn(taskDef, ...args)` goes to the workers, starting from this worker's deque;
 * - `spawn(closure)` and `spawnLocal` run on this worker (closures can't cross threads);
 * - `spawnBlocking` goes to the runtime's blocking pool, through the main thread;
 * - `metrics()` reads the runtime's shared memory (see `workerViewMetrics`);
 * - `blockOn` rejects with {@link NestedRuntimeError}, as Tokio panics.
 */
import { type JoinHandle, RuntimeShutdownError, assertFunction, type RuntimeMetrics } from '@skein/core';
import { assertBlockingDef, spawnTarget, type HandleTarget, type TaskDef } from '@skein/core/internal';
import { NestedRuntimeError } from './nested_runtime_error.js';
import type { WorkerRuntime } from './worker_runtime.js';

/** A worker's runtime as a Handle sees it. */
export class WorkerHandleTarget implements HandleTarget {
  readonly flavor = 'multi_thread' as const;
  readonly #rt: WorkerRuntime;
  readonly #metrics: RuntimeMetrics;

  constructor(rt: WorkerRuntime, metrics: RuntimeMetrics) {
    this.#rt = rt;
    this.#metrics = metrics;
  }

  /** A task definition onto the workers; a closure on this worker. */
  spawn<A extends unknown[], R>(t: TaskDef<A, R>, ...args: A): JoinHandle<R>;
  spawn<R>(fn: () => R | PromiseLike<R>): JoinHandle<Awaited<R>>;
  spawn(t: unknown, ...args: unknown[]): JoinHandle<unknown> {
    const target = spawnTarget(t, args.length, 'handle.spawn()');
    if (target !== undefined && typeof target !== 'function') {
      this.#checkOpen('spawn');
      return this.#rt.spawnTask(target, args);
    }
    assertFunction(target, 'task');
    return this.spawnLocal(target);
  }

  /** A closure on this worker. */
  spawnLocal<R>(fn: () => R | PromiseLike<R>): JoinHandle<R> {
    assertFunction(fn, 'fn');
    this.#checkOpen('spawn');
    return this.#rt.spawnLocal(fn);
  }

  /** A task definition on the blocking pool. Errors: NotSendableError for a closure. */
  spawnBlocking<A extends unknown[], R>(def: TaskDef<A, R>, ...args: A): JoinHandle<R>;
  spawnBlocking(def: unknown, ...args: unknown[]): JoinHandle<unknown> {
    assertBlockingDef(def);
    this.#checkOpen('spawnBlocking');
    return this.#rt.spawnBlockingTask(def, args);
  }

  /**
   * Always rejects with NestedRuntimeError (`ERR_SKEIN_NESTED_RUNTIME`): this thread already
   * drives the runtime, so `await` instead. Rejects rather than throws, like `Runtime.blockOn`.
   */
  blockOn<T>(_f: PromiseLike<T> | (() => T | PromiseLike<T>)): Promise<T> {
    return Promise.reject(new NestedRuntimeError('Handle.blockOn()'));
  }

  /** The runtime's metrics as shared memory knows them. */
  metrics(): RuntimeMetrics {
    return this.#metrics;
  }

  #checkOpen(what: string): void {
    if (this.#rt.isShutdown) throw new RuntimeShutdownError(what);
  }
}
