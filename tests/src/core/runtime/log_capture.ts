/**
 * A pino logger whose output the test can read: runtime diagnostics are asserted on the
 * JSON lines pino writes, not on console output.
 */
import pino, { type Logger } from 'pino';

export interface CapturedLog {
  readonly logger: Logger;
  /** Every line written so far, parsed. */
  readonly lines: Record<string, unknown>[];
}

export function captureLogs(): CapturedLog {
  const lines: Record<string, unknown>[] = [];
  const stream = { write(line: string): void { lines.push(JSON.parse(line) as Record<string, unknown>); } };
  return { logger: pino({ level: 'debug' }, stream), lines };
}
