/**
 * Sendable task definitions: `task(import.meta, fn)`.
 *
 * A closure can't cross threads, so a task that may run on another thread is identified by
 * data: the URL of the module that defines it and the name it is exported under. That is
 * Rust's `Send + 'static` in JavaScript terms. The export name is found by looking the
 * definition up in its module's exports (not from `fn.name`, which bundlers and TypeScript
 * transforms rename), which can only happen once the module has finished evaluating; so it
 * is looked up lazily and cached.
 */
import { typeError } from '../errors/invalid_argument.js';
import { NotSendableError } from '../errors/skein_error.js';

/** The marker every task definition carries (shared with worker and blocking-pool threads). */
export const TASK_MARKER: unique symbol = Symbol.for('skein.task') as never;

/** A sendable task definition. Spawn it with `spawn(def, ...args)` or `spawnBlocking`. */
export interface TaskDef<A extends unknown[] = unknown[], R = unknown> {
  readonly [TASK_MARKER]: true;
  /** The defining module's URL (`import.meta.url`). */
  readonly url: string;
  /** The raw function; calling it runs it here, not as a task. */
  readonly fn: (...args: A) => R | Promise<R>;
  /** The name it is exported under, once known. */
  exportName: string | undefined;
  /** Find the export name (imports the module, which is already loaded). */
  resolveName(): Promise<string>;
}

/**
 * Each definition's raw function points back to the definition through this property.
 * Inside `export const f = task(import.meta, function f(x) { ... spawn(f, x) })` the inner
 * `f` is the raw function, not the export; spawning it must still spawn the task (with its
 * arguments), not a closure that drops them. A property, not a WeakMap: every closure
 * spawn looks it up, and a missing property costs nothing where a WeakMap lookup of a fresh
 * closure costs more than a third of the spawn.
 */
const DEFINITION: unique symbol = Symbol('skein.taskDefinition') as never;
/** Raw functions that can't carry the property (frozen ones); made when the first one comes. */
let frozenDefinitions: WeakMap<object, TaskDef> | undefined;

/** Shorthand the API uses: `Task<A, R>` is a {@link TaskDef}. */
export type Task<A extends unknown[] = unknown[], R = unknown> = TaskDef<A, R>;

/**
 * Define a sendable task. Export the result from a side-effect-free module:
 * ```ts
 * export const fib = task(import.meta, function fib(n: number): number { ... });
 * ```
 * Inside `fn`, its own name refers to the raw function; spawning it spawns this definition
 * (the raw function maps back to it), so `spawn(fib, n - 1)` works from either name.
 *
 * Errors: TypeError (`ERR_INVALID_ARG_TYPE`) when `meta` isn't `import.meta` or `fn` isn't a
 * function.
 */
export function task<A extends unknown[], R>(
  meta: ImportMeta | { url: string },
  fn: (...args: A) => R | Promise<R>,
): TaskDef<A, Awaited<R>> {
  if (meta === null || typeof meta !== 'object' || typeof meta.url !== 'string') {
    throw typeError('The "meta" argument of task() must be import.meta of the defining module');
  }
  if (typeof fn !== 'function') {
    throw typeError(`The "fn" argument of task() must be a function. Received type ${typeof fn}`);
  }
  let pending: Promise<string> | undefined;
  const def: TaskDef<A, Awaited<R>> = {
    [TASK_MARKER]: true,
    url: meta.url,
    fn: fn as (...args: A) => Awaited<R> | Promise<Awaited<R>>,
    exportName: undefined,
    resolveName(): Promise<string> {
      if (def.exportName !== undefined) return Promise.resolve(def.exportName);
      return (pending ??= import(def.url).then((ns: Record<string, unknown>) => {
        for (const key of Object.keys(ns)) {
          if (ns[key] === def) return (def.exportName = key);
        }
        if (ns.default === def) return (def.exportName = 'default');
        throw typeError(
          `task(import.meta, ${fn.name || 'fn'}) is not exported from ${def.url}. Export it: ` +
            `\`export const ${fn.name || 'myTask'} = task(import.meta, ...)\``,
          'ERR_SKEIN_TASK_NOT_EXPORTED',
        );
      }));
    },
  };
  // The first definition wins: the same function wrapped twice still maps to one.
  if (taskDefOf(fn) === undefined) {
    if (Object.isExtensible(fn)) Object.defineProperty(fn, DEFINITION, { value: def });
    else (frozenDefinitions ??= new WeakMap()).set(fn, def as unknown as TaskDef);
  }
  return def;
}

/** The definition whose raw function `fn` is (the `fn` given to `task()`), if any. */
export function taskDefOf(fn: object): TaskDef | undefined {
  return (fn as { [DEFINITION]?: TaskDef })[DEFINITION] ?? frozenDefinitions?.get(fn);
}

/**
 * What a spawn with `args` runs: a definition (given, or found from its raw function) or a
 * closure. Shared by every spawn entry point so they agree.
 *
 * Errors: TypeError (`ERR_INVALID_ARG_TYPE`) for a closure given arguments: a closure takes
 * none, and running it without them would silently lose them.
 */
export function spawnTarget(t: unknown, argCount: number, what: string): TaskDef | (() => unknown) | undefined {
  if (isTaskDef(t)) return t;
  if (typeof t !== 'function') return undefined;
  const def = taskDefOf(t);
  if (def !== undefined) return def;
  if (argCount > 0) {
    throw typeError(
      `${what} passes arguments only to a task() definition; ${t.name === '' ? 'this closure' : `the closure ${t.name}`} ` +
        `takes none and would run without its ${argCount} argument${argCount === 1 ? '' : 's'}. ` +
        `Capture them instead (\`${what.replace(/\(\)$/, '')}(() => work(x))\`), or define a task: ` +
        '`export const work = task(import.meta, function work(x) { ... })`',
    );
  }
  return t as () => unknown;
}

/** Whether `value` is a task definition (from any copy of this package). */
export function isTaskDef(value: unknown): value is TaskDef {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[TASK_MARKER] === true;
}

/**
 * What every `spawnBlocking` checks first. Errors: NotSendableError for a closure (its
 * message shows how to define a task), TypeError for anything else that isn't a task().
 */
export function assertBlockingDef(value: unknown): asserts value is TaskDef {
  if (isTaskDef(value)) return;
  if (typeof value === 'function') throw new NotSendableError('spawnBlocking');
  throw typeError('spawnBlocking() takes a task() definition');
}
