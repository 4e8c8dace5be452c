/**
 * Which task module this thread is importing, if it is a worker doing so.
 *
 * A worker (or blocking-pool thread) imports a task module to find a task in it. While it
 * does, code that must only run in the entry module (building a runtime, starting a server)
 * is an error that names the module and the rule ({@link TaskModuleSideEffectError}). The
 * list lives on `globalThis` under a registered symbol, so the threads that import modules
 * (@skein/workers, whose pool threads don't load this package) and the checks here share it.
 */
import { TaskModuleSideEffectError } from '../errors/skein_error.js';

/** The `globalThis` key of the URLs being imported as task modules on this thread. */
export const TASK_MODULE_IMPORTS: unique symbol = Symbol.for('skein.taskModuleImports') as never;

/** The task module this thread is importing right now, if any. */
export function importingTaskModule(): string | undefined {
  return ((globalThis as Record<symbol, unknown>)[TASK_MODULE_IMPORTS] as string[] | undefined)?.[0];
}

/** Throw {@link TaskModuleSideEffectError} if this thread is importing a task module. */
export function assertNoTaskModuleImport(what: string): void {
  const url = importingTaskModule();
  if (url !== undefined) throw new TaskModuleSideEffectError(what, url);
}
