/**
 * Diagnostics go through pino. By default only warnings and worse are written (to stderr,
 * so they never mix with a program's stdout); `.logger(level)` or `.logger(pinoInstance)`
 * changes that.
 */
import pino, { type Logger } from 'pino';

/** The runtime's logger from a builder setting: a pino logger, a level name, or undefined. */
export function makeLogger(setting: Logger | string | undefined): Logger {
  if (setting !== undefined && typeof setting !== 'string') return setting;
  return pino({ name: 'skein', level: setting ?? 'warn' }, pino.destination({ fd: 2, sync: true }));
}
