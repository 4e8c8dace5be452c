/**
 * `onThreadStart` / `onThreadStop` hooks. A plain function runs on the main thread (for a
 * worker, when that worker has started or stopped). A `task()` definition runs on the
 * thread itself, since closures can't cross threads. A throwing hook is logged, never fatal.
 */
import type { Logger } from 'pino';
import { isTaskDef } from '../task/task_def.js';
import type { ThreadHook } from './config.js';

/** Run a thread hook for `worker` ('main' for the main thread); errors are logged. */
export function runThreadHook(hook: ThreadHook | undefined, worker: number | 'main', logger: Logger): void {
  if (hook === undefined) return;
  try {
    const r = isTaskDef(hook)
      ? hook.fn(worker === 'main' ? -1 : worker)
      : (hook as (i: { worker: number | 'main' }) => void)({ worker });
    if (r instanceof Promise) r.catch((err: unknown) => logger.warn({ err, worker }, 'thread hook failed'));
  } catch (err) {
    logger.warn({ err, worker }, 'thread hook failed');
  }
}
