/**
 * A pino logger whose output the test can read: runtime diagnostics are asserted on the
 * JSON lines pino writes, not on console output. The one log capture of the tests.
 */
import pino, { type Logger } from 'pino';

/** A logger and every line it has written so far, parsed. */
export interface CapturedLog {
  readonly logger: Logger;
  readonly lines: Record<string, unknown>[];
}

/** A pino logger at `level` that records every line it writes, parsed. */
export function captureLogs(level = 'info'): CapturedLog {
  const lines: Record<string, unknown>[] = [];
  const stream = {
    write(chunk: string): void {
      for (const line of chunk.split('\n'))
        if (line.trim() !== '') lines.push(JSON.parse(line) as Record<string, unknown>);
    },
  };
  return { logger: pino({ level }, stream), lines };
}
