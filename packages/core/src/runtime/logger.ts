/**
 * Diagnostics go through pino. By default only warnings and worse are written (to stderr,
 * so they never mix with a program's stdout); `.logger(level)` or `.logger(pinoInstance)`
 * changes that.
 */
import pino, { type Logger } from 'pino';
import { frames } from '../task/context.js';

/**
 * The runtime's logger from a builder setting: a pino logger, a level name, or undefined.
 * The default logger adds the current task (`taskId`, `task`: its name) to each record
 * written while a task runs; fields a record names itself take precedence.
 */
export function makeLogger(setting: Logger | string | undefined): Logger {
  if (setting !== undefined && typeof setting !== 'string') return setting;
  return pino(
    { name: 'skein', level: setting ?? 'warn', mixin: currentTaskFields },
    pino.destination({ fd: 2, sync: true }),
  );
}

function currentTaskFields(): object {
  const t = frames.getStore()?.task;
  if (t === undefined) return {};
  t.keepName();
  return { taskId: t.id, task: t.name };
}
