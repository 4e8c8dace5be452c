/**
 * `Handle`: a reference to a runtime that tasks can carry around (Tokio's `Handle`).
 * `Handle.current()` inside a task finds the task's runtime.
 *
 * A Handle wraps a {@link HandleTarget}, not a `Runtime`, because a task's runtime is not
 * always the main thread's `Runtime`: on a multi-thread worker it is that worker's
 * runtime, which spawns onto the shared queues and reads metrics from shared memory.
 * `Runtime` satisfies the interface as it is; @skein/workers provides the worker's target.
 */
import { NoRuntimeError } from '../errors/skein_error.js';
import type { RuntimeMetrics } from '../metrics/runtime_metrics.js';
import type { JoinHandle } from '../task/join_handle.js';
import type { TaskDef } from '../task/task_def.js';
import { frames } from '../task/context.js';
import type { RuntimeCore } from './runtime_core.js';

/** What a Handle spawns onto and reads: a `Runtime`, or a multi-thread worker's view of it. */
export interface HandleTarget {
  readonly flavor: 'current_thread' | 'multi_thread';
  spawn<A extends unknown[], R>(t: TaskDef<A, R>, ...args: A): JoinHandle<R>;
  spawn<R>(fn: () => R | PromiseLike<R>): JoinHandle<Awaited<R>>;
  spawnLocal<R>(fn: () => R | PromiseLike<R>): JoinHandle<R>;
  spawnBlocking<A extends unknown[], R>(def: TaskDef<A, R>, ...args: A): JoinHandle<R>;
  blockOn<T>(f: PromiseLike<T> | (() => T | PromiseLike<T>)): Promise<T>;
  metrics(): RuntimeMetrics;
}

/** A task's runtime that can hand out a Handle (`Runtime`, a worker's runtime). */
type WithHandle = RuntimeCore & { handle(): Handle };

function hasHandle(rt: RuntimeCore): rt is WithHandle {
  return typeof (rt as Partial<WithHandle>).handle === 'function';
}

/** Set by Handle's static block, the one place that may call its private constructor. */
let construct: (rt: HandleTarget) => Handle;

/**
 * A Handle on a runtime. Core and @skein/workers make handles through this (it is exported
 * from `@skein/core/internal`), so the constructor can stay private and out of the public
 * declarations.
 */
export function handleOf(rt: HandleTarget): Handle {
  return construct(rt);
}

/** A handle to a runtime: spawn onto it from anywhere, read its metrics. */
export class Handle {
  readonly #rt: HandleTarget;

  /** Use `runtime.handle()` or `Handle.current()`. */
  private constructor(rt: HandleTarget) {
    this.#rt = rt;
  }

  static {
    construct = (rt) => new Handle(rt);
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
    return rt === undefined || !hasHandle(rt) ? undefined : rt.handle();
  }

  /** The runtime's flavour. */
  get flavor(): 'current_thread' | 'multi_thread' {
    return this.#rt.flavor;
  }

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
