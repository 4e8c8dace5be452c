import { Runtime, yieldNow } from '@skein/core';

/** Run `fn` as the root task of a fresh current-thread runtime, then shut it down. */
export async function withRuntime<T>(fn: (rt: Runtime) => Promise<T>): Promise<T> {
  const rt = await Runtime.builder().build();
  try {
    return await rt.blockOn(() => fn(rt));
  } finally {
    await rt.shutdown();
  }
}

/** Give every ready task a few turns (each yield is a full event-loop turn). */
export async function settle(turns = 5): Promise<void> {
  for (let i = 0; i < turns; i++) await yieldNow();
}

export { rejection, thrown } from '../support/outcomes.js';

/** Bytes 0, 1, 2, ... (mod 251), so a lost or reordered byte shows. */
export function pattern(n: number, start = 0): Uint8Array {
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) b[i] = (start + i) % 251;
  return b;
}

/** A pino logger whose lines land in `lines` (parsed). */
export async function captureLogger(
  level = 'info',
): Promise<{ logger: import('pino').Logger; lines: Record<string, unknown>[] }> {
  const { default: pino } = await import('pino');
  const lines: Record<string, unknown>[] = [];
  const logger = pino(
    { level },
    {
      write: (s: string) => {
        lines.push(JSON.parse(s) as Record<string, unknown>);
      },
    },
  );
  return { logger, lines };
}

/** Send raw bytes on a new connection and collect everything the server sends until it closes. */
export async function rawExchange(port: number, data: string, opts: { end?: boolean } = {}): Promise<string> {
  const { connect } = await import('node:net');
  return new Promise((resolve, reject) => {
    const s = connect(port, '127.0.0.1');
    let out = '';
    s.on('connect', () => {
      if (opts.end === true) s.end(data);
      else s.write(data);
    });
    s.on('data', (d: Buffer) => {
      out += d.toString('latin1');
    });
    s.on('error', reject);
    s.on('close', () => resolve(out));
  });
}
