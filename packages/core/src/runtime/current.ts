/**
 * Finding the runtime from free functions (`spawn`, `sleep`, …): through the current task,
 * as Tokio finds it through its thread-local context.
 */
import { NoRuntimeError } from '../errors/skein_error.js';
import { frames } from '../task/context.js';
import type { RuntimeCore } from './runtime_core.js';

/** The runtime of the current task. Errors: NoRuntimeError outside every runtime. */
export function currentRuntime(what: string): RuntimeCore {
  const task = frames.getStore()?.task;
  if (task === undefined) throw new NoRuntimeError(what);
  return task.runtime;
}

/** The runtime of the current task, or undefined outside every runtime. */
export function tryCurrentRuntime(): RuntimeCore | undefined {
  return frames.getStore()?.task?.runtime;
}
