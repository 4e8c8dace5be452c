/**
 * `taskBuilder()`: Tokio's `task::Builder`, a spawn with options. Today the option is a
 * name, which task dumps, the console and the runtime's log records show instead of the
 * function's name.
 */
import { assertFunction, typeError } from '../errors/invalid_argument.js';
import { RuntimeShutdownError } from '../errors/skein_error.js';
import { currentRuntime } from '../runtime/current.js';
import { joinHandle, type JoinHandle } from './join_handle.js';
import { assertBlockingDef, isTaskDef, type TaskDef } from './task_def.js';

/** Spawns tasks with the options set on it; reusable. */
export class TaskBuilder {
  #name: string | undefined = undefined;

  /** The name of the tasks it spawns. Errors: TypeError for a non-string. */
  name(n: string): this {
    if (typeof n !== 'string') throw typeError('The "name" argument must be a string');
    this.#name = n;
    return this;
  }

  /**
   * `spawn()` with these options. Errors: as `spawn()` (NoRuntimeError,
   * RuntimeShutdownError, TypeError).
   */
  spawn<A extends unknown[], R>(t: TaskDef<A, R>, ...args: A): JoinHandle<R>;
  spawn<R>(fn: () => R | PromiseLike<R>): JoinHandle<Awaited<R>>;
  spawn(t: unknown, ...args: unknown[]): JoinHandle<unknown> {
    const rt = currentRuntime('taskBuilder().spawn()');
    if (rt.isShutdown) throw new RuntimeShutdownError('spawn');
    const opts = { name: this.#name };
    if (typeof t === 'function') return joinHandle(rt.startLocal(t as () => unknown, opts));
    if (isTaskDef(t)) return joinHandle(rt.startTask(t, args, opts));
    throw typeError(`spawn() takes a task() definition or a function. Received ${t === null ? 'null' : typeof t}`);
  }

  /** `spawnLocal()` with these options. */
  spawnLocal<R>(fn: () => R | PromiseLike<R>): JoinHandle<Awaited<R>> {
    const rt = currentRuntime('taskBuilder().spawnLocal()');
    assertFunction(fn, 'fn');
    if (rt.isShutdown) throw new RuntimeShutdownError('spawnLocal');
    return joinHandle(rt.startLocal(fn, { name: this.#name })) as JoinHandle<Awaited<R>>;
  }

  /**
   * `spawnBlocking()` with these options. Blocking jobs don't appear in task dumps; the
   * name is taken for parity with Tokio's builder.
   */
  spawnBlocking<A extends unknown[], R>(t: TaskDef<A, R>, ...args: A): JoinHandle<R> {
    assertBlockingDef(t);
    const rt = currentRuntime('taskBuilder().spawnBlocking()');
    if (rt.isShutdown) throw new RuntimeShutdownError('spawnBlocking');
    return joinHandle(rt.startBlocking(t as TaskDef<A, R>, args));
  }
}

/** A builder for a task with options: `taskBuilder().name('acceptor').spawn(fn)`. */
export function taskBuilder(): TaskBuilder {
  return new TaskBuilder();
}
