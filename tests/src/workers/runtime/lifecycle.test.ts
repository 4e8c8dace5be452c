import { describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { JoinError, RuntimeShutdownError } from '@skein/core';
import { inc } from './fixtures/basic.js';
import { abortable, holdUntil } from './fixtures/control.js';
import { multiThread, sharedInts, waitFor } from './helpers.js';

const child = fileURLToPath(new URL('./fixtures/lifecycle_child.mjs', import.meta.url));
const cwd = fileURLToPath(new URL('../../../', import.meta.url));

interface ChildRun {
  status: number | null;
  out: Record<string, unknown> | undefined;
  stderr: string;
}

function run(mode: string): Promise<ChildRun> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [child, mode],
      {
        cwd,
        encoding: 'utf8',
        timeout: 30_000,
        env: { ...process.env, NODE_OPTIONS: '' },
      },
      (err, stdout, stderr) => {
        const line = stdout.trim().split('\n').pop();
        resolve({
          status: err === null ? 0 : typeof err.code === 'number' ? err.code : null,
          out: line ? (JSON.parse(line) as Record<string, unknown>) : undefined,
          stderr,
        });
      },
    );
  });
}

// The children run the built packages (dist/, which the test command builds first): plain
// node starts in well under a second, where loading the TypeScript sources takes several.
describe('multi-thread runtime: shutting down lets the process exit', () => {
  for (const mode of ['shutdown', 'timeout', 'background', 'none', 'main']) {
    it(`exits promptly after ${mode}`, async () => {
      const r = await run(mode);
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
      expect(r.out).toMatchObject({ mode, v: 2 });
      // A hang would hit the 30 s timeout (no duration is asserted: the machine may be loaded).
    });
  }
});

describe('multi-thread runtime: shutdown semantics', () => {
  it('aborts running and queued tasks, waits for their cleanup, then refuses spawns', async () => {
    const rt = await multiThread(2);
    const flags = sharedInts(4);
    const running = rt.spawn(abortable, flags.sab);
    await waitFor(() => Atomics.load(flags.words, 0) === 1, 10_000, 'task started');
    const gate = sharedInts(8);
    const holders = [rt.spawn(holdUntil, gate.sab, 0, 300), rt.spawn(holdUntil, gate.sab, 4, 300)];
    const queued = Array.from({ length: 10 }, (_, i) => rt.spawn(inc, i));
    await rt.shutdown();
    // The running task's `finally` ran before shutdown resolved.
    expect(Atomics.load(flags.words, 2)).toBe(1);
    expect(Atomics.load(flags.words, 1)).toBe(1);
    for (const h of [running, ...queued]) {
      const r = await Promise.resolve(h).then(
        (v) => v,
        (e: unknown) => e,
      );
      if (r instanceof JoinError) expect(r.isCancelled()).toBe(true);
      else expect(typeof r).toBe('number'); // some queued tasks may have run first
    }
    await Promise.allSettled(holders);
    expect(() => rt.spawn(inc, 1)).toThrow(RuntimeShutdownError);
  });

  it('shutdownTimeout stops waiting for a task that never yields', async () => {
    const rt = await multiThread(1);
    const gate = sharedInts(4);
    // Blocks its worker for longer than the test's timeout: only shutdownTimeout ends it in time.
    const stuck = rt.spawn(holdUntil, gate.sab, 0, 120_000);
    await waitFor(() => Atomics.load(gate.words, 1) === 1, 10_000, 'worker blocked');
    await rt.shutdownTimeout(100);
    await expect(stuck).rejects.toSatisfy((e: unknown) => e instanceof JoinError && e.isCancelled());
  });
});
