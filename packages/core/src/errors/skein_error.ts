/**
 * The error hierarchy.
 *
 * Node's own convention splits failures in two: invalid arguments throw the standard
 * `RangeError` / `TypeError` with a `code` (see `invalid_argument.ts`), and everything
 * else is a typed error with a stable string `code`. Every non-argument error skein throws
 * extends {@link SkeinError}, so `err instanceof SkeinError` separates runtime failures from
 * programmer errors, and `err.code` is safe to switch on across versions.
 */

/** Base class of every skein error that is not an invalid argument. `code` is stable. */
export class SkeinError extends Error {
  /** A stable machine-readable code, e.g. `ERR_SKEIN_CANCELLED`. */
  readonly code: string;

  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
  }
}

/**
 * A runtime await rejected because its task (or the `select` / `tryJoin` / `timeout`
 * branch it ran in) was cancelled. Let it propagate: `finally` blocks still run, and the
 * JoinHandle already reports the cancellation. Every await one cancellation rejects (one
 * abort, one `select` loser, one shutdown for all its tasks) gets the same error object.
 */
export class Cancelled extends SkeinError {
  constructor(
    message = 'the task was cancelled; this await will not complete. Let the error propagate so `finally` blocks release what they hold',
  ) {
    super('ERR_SKEIN_CANCELLED', message);
  }
}

/** A `timeout` / `timeoutAt` deadline passed before the future completed. */
export class Elapsed extends SkeinError {
  constructor(ms?: number) {
    super('ERR_SKEIN_ELAPSED', ms === undefined ? 'deadline has elapsed' : `deadline has elapsed (after ${ms} ms)`);
  }
}

/** The free functions that have a method of the same name on `Runtime`. */
const RUNTIME_METHODS: ReadonlySet<string> = new Set(['spawn', 'spawnLocal', 'spawnBlocking']);

/** How to call `what` (e.g. `sleep()`) from outside a task: its Runtime method, or inside blockOn. */
function fromOutside(what: string): string {
  const name = what.replace(/\(\)$/, '');
  return RUNTIME_METHODS.has(name)
    ? `or call \`runtime.${name}(...)\` on the runtime directly`
    : `e.g. \`await runtime.blockOn(() => ${name}(...))\``;
}

/** A runtime function was called outside any runtime (no task context). */
export class NoRuntimeError extends SkeinError {
  constructor(what: string) {
    super(
      'ERR_SKEIN_NO_RUNTIME',
      `${what} must be called from inside a skein runtime. Build one with \`await Runtime.builder().build()\` ` +
        `and call it inside \`runtime.blockOn(...)\` or a spawned task, ${fromOutside(what)}. ` +
        'From a callback a task registered (a timer, an event listener), capture `Handle.current()` in the task and call `handle.spawn(...)`: ' +
        'such callbacks run outside the task on Node 20',
    );
  }
}

/** The runtime has shut down (or is shutting down): it accepts no new tasks. */
export class RuntimeShutdownError extends SkeinError {
  constructor(what = 'spawn') {
    super(
      'ERR_SKEIN_RUNTIME_SHUTDOWN',
      `cannot ${what}: the runtime has shut down. Build a new runtime, or spawn before calling shutdown()`,
    );
  }
}

/** A closure (or other non-sendable value) was given where a `task()` definition is required. */
export class NotSendableError extends SkeinError {
  constructor(where: string) {
    super(
      'ERR_SKEIN_NOT_SENDABLE',
      `${where} needs a task() definition, not a closure: closures can't cross threads. ` +
        'Define the function in a side-effect-free module and export it:\n' +
        "  // tasks.ts\n  import { task } from '@skein/core';\n" +
        '  export const work = task(import.meta, function work(n: number) { return n * 2; });\n' +
        `then call ${where}(work, 21)`,
    );
  }
}

/** A task's arguments or result can't cross threads with structured clone. */
export class SerializationError extends SkeinError {
  constructor(what: string, cause?: unknown) {
    super(
      'ERR_SKEIN_SERIALIZATION',
      `${what} can't be sent to another thread: ${(cause as Error | undefined)?.message ?? 'not structured-cloneable'}. ` +
        'Pass plain data (numbers, strings, plain objects, arrays, Maps, typed arrays, SharedArrayBuffers), not functions, symbols, ' +
        'sockets or other host objects; a class instance arrives as a plain object with its own fields',
      { cause },
    );
  }
}

/**
 * A worker thread importing a task module ran something a task module must not: it built a
 * runtime, or started a server. Every worker imports each task module it runs tasks from,
 * so such a module would start a runtime (which never finishes importing: the task hangs)
 * or a server (a second listener on the same port: the workers crash) in every worker.
 */
export class TaskModuleSideEffectError extends SkeinError {
  constructor(what: string, moduleUrl: string) {
    super(
      'ERR_SKEIN_TASK_MODULE_SIDE_EFFECT',
      `${what} ran while a worker thread imported the task module ${moduleUrl}. Workers import every module ` +
        'that defines a task() to run it, so a task module must have no side effects: keep runtimes, servers ' +
        'and other start-up code in your entry module, and put the task() definitions in a module of their own ' +
        "that the entry imports (`// tasks.ts: export const work = task(import.meta, ...)`, `// main.ts: import { work } from './tasks.js'`)",
    );
  }
}
