/**
 * A live task as a task dump shows it (`runtime.taskDump()`), on whichever thread it runs.
 */
import type { LocalTask } from '../task/task.js';
import type { TaskRecorder } from '../task/tracking.js';
import type { TaskDumpEntry } from './backends.js';

/** The dump entry of `t`, a task of thread `thread`; tracked fields when `tracker` has them. */
export function taskDumpEntry(
  t: LocalTask<unknown>,
  thread: number | 'main',
  tracker: TaskRecorder | undefined,
): TaskDumpEntry {
  const base = { id: t.id, name: t.name, state: t.state, thread, worker: thread };
  const tracked = t.state === 'finished' ? undefined : tracker?.dumpFields(t);
  return tracked === undefined ? base : { ...base, ...tracked };
}
