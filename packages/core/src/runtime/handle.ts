/**
 * `Handle`: a reference to a runtime that tasks can carry around (Tokio's `Handle`).
 * `Handle.current()` inside a task finds the task's runtime.
 */
import { NoRuntimeError } from '../errors/skein_error.js';
import type { RuntimeMetrics } from '../metrics/runtime_metrics.js';
import type { JoinHandle } from '../task/join_handle.js';
import type { TaskDef } from '../task/task_def.js';
import { frames } from '../task/context.js';
import type { Runtime } from './runtime.js';

/** A handle to a runtime: spawn onto it from anywhere, read its metrics. */
export class Handle {
  readonly #rt: Runtime;

  /** @internal Use `runtime.handle()` or `Handle.current()`. */
  constructor(rt: Runtime) {
    this.#rt = rt;
  }

  /** The current task's runtime. Errors: NoRuntimeError outside every runtime. */
  static current(): Handle {
    const h = Handle.tryCurrent();
    if (h === undefined) throw new NoRuntimeError('Handle.current()');
    return h;
  }

  /** The current task's runtime, or undefined outside every runtime. */
  static tryCurrent(): Handle | undefined {
    const rt = frames.getStore()?.task?.runtime;
    return rt === undefined || !('handle' in rt) ? undefined : (rt as Runtime).handle();
  }

  get flavor(): 'current_thread' | 'multi_thread' { return this.#rt.flavor; }

  /** See `Runtime.spawn`. */
  spawn<A extends unknown[], R>(t: TaskDef<A, R>, ...args: A): JoinHandle<R>;
  spawn<R>(fn: () => R | PromiseLike<R>): JoinHandle<Awaited<R>>;
  spawn(t: never, ...args: never[]): JoinHandle<unknown> {
    return this.#rt.spawn(t, ...args);
  }

  /** See `Runtime.spawnLocal`. */
  spawnLocal<R>(fn: () => R | PromiseLike<R>): JoinHandle<R> {
    return this.#rt.spawnLocal(fn);
  }

  /** See `Runtime.spawnBlocking`. */
  spawnBlocking<A extends unknown[], R>(def: TaskDef<A, R>, ...args: A): JoinHandle<R> {
    return this.#rt.spawnBlocking(def, ...args);
  }

  /** See `Runtime.blockOn`. */
  blockOn<T>(f: PromiseLike<T> | (() => T | PromiseLike<T>)): Promise<T> {
    return this.#rt.blockOn(f);
  }

  /** See `Runtime.metrics`. */
  metrics(): RuntimeMetrics {
    return this.#rt.metrics();
  }
}
