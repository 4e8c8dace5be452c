/**
 * The free spawn functions and `currentTask`. They find the runtime through the current
 * task (Tokio's thread-local `Handle`).
 */
import { typeError } from '../errors/invalid_argument.js';
import { RuntimeShutdownError } from '../errors/skein_error.js';
import { currentRuntime } from '../runtime/current.js';
import { frames } from './context.js';
import { joinHandle, type JoinHandle } from './join_handle.js';
import type { Joinable } from './joinable.js';
import { assertBlockingDef, spawnTarget, type TaskDef } from './task_def.js';

/**
 * Spawn a task. A `task()` definition (or its raw function) goes where the runtime runs
 * such tasks (a worker, in the multi-thread flavour); a closure runs on the current thread.
 * Errors: NoRuntimeError outside a runtime; RuntimeShutdownError after shutdown; TypeError
 * for anything that is neither, and for a closure given arguments (it takes none).
 */
export function spawn<A extends unknown[], R>(t: TaskDef<A, R>, ...args: A): JoinHandle<R>;
export function spawn<R>(fn: () => R | PromiseLike<R>): JoinHandle<Awaited<R>>;
export function spawn(t: unknown): JoinHandle<unknown> {
  // The arguments array only for a task definition that has some: this is the spawn hot path.
  // Copied by hand: optimized code reads `arguments` in place, where `slice.call` is a
  // builtin call (~250 instructions a spawn on Node 24).
  // biome-ignore lint/complexity/noArguments: a rest parameter allocates an array on every spawn
  const n = arguments.length;
  let args: unknown[] | undefined;
  // biome-ignore lint/complexity/noArguments: as above
  if (n === 2) args = [arguments[1]];
  else if (n > 2) {
    args = [];
    // biome-ignore lint/complexity/noArguments: as above
    for (let i = 1; i < n; i++) args.push(arguments[i]);
  }
  return joinHandle(startSpawn(t, args));
}

/** @internal {@link spawn} without the JoinHandle, for callers that keep the task (JoinSet). */
export function startSpawn(t: unknown, args: unknown[] | undefined): Joinable<unknown> {
  const rt = currentRuntime('spawn()');
  if (rt.isShutdown) throw new RuntimeShutdownError('spawn');
  const target = spawnTarget(t, args?.length ?? 0, 'spawn()');
  if (typeof target === 'function') return rt.startLocal(target);
  if (target !== undefined) return rt.startTask(target, args ?? []);
  throw typeError(`spawn() takes a task() definition or a function. Received ${t === null ? 'null' : typeof t}`);
}

/** Spawn a closure on the current thread (Tokio's `spawn_local`). */
export function spawnLocal<R>(fn: () => R | PromiseLike<R>): JoinHandle<Awaited<R>> {
  return joinHandle(startSpawnLocal(fn)) as JoinHandle<Awaited<R>>;
}

/** @internal {@link spawnLocal} without the JoinHandle. */
export function startSpawnLocal<R>(fn: () => R | PromiseLike<R>): Joinable<R> {
  const rt = currentRuntime('spawnLocal()');
  if (typeof fn !== 'function')
    throw typeError(`spawnLocal() takes a function. Received ${fn === null ? 'null' : typeof fn}`);
  if (rt.isShutdown) throw new RuntimeShutdownError('spawnLocal');
  return rt.startLocal(fn);
}

/**
 * Run a task definition on the blocking pool. Errors: NotSendableError for a closure
 * (its message shows how to define a task); NoRuntimeError; RuntimeShutdownError.
 */
export function spawnBlocking<A extends unknown[], R>(t: TaskDef<A, R>, ...args: A): JoinHandle<R> {
  return joinHandle(startSpawnBlocking(t, args));
}

/** @internal {@link spawnBlocking} without the JoinHandle. */
export function startSpawnBlocking<A extends unknown[], R>(t: TaskDef<A, R>, args: A): Joinable<R> {
  assertBlockingDef(t);
  const rt = currentRuntime('spawnBlocking()');
  if (rt.isShutdown) throw new RuntimeShutdownError('spawnBlocking');
  return rt.startBlocking(t as TaskDef<A, R>, args);
}

/** What `currentTask()` returns: the running task's id and cancellation signal. */
export interface CurrentTask {
  readonly id: number;
  /** Aborts when the task is aborted; hand it to foreign APIs. */
  readonly signal: AbortSignal;
  readonly name: string;
}

/** The running task, or undefined outside every task. */
export function currentTask(): CurrentTask | undefined {
  const task = frames.getStore()?.task;
  task?.keepName();
  return task;
}
