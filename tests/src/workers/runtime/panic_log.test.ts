import { describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const child = fileURLToPath(new URL('./fixtures/panic_log_child.mjs', import.meta.url));
const cwd = fileURLToPath(new URL('../../../', import.meta.url));

function run(mode: string): Promise<{ out: string; logs: Record<string, unknown>[] }> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [child, mode],
      { cwd, encoding: 'utf8', timeout: 30_000, env: { ...process.env, NODE_OPTIONS: '' } },
      (err, stdout, stderr) => {
        if (err !== null) return reject(new Error(`${err.message}\n${stderr}`));
        const logs = stderr
          .split('\n')
          .filter((l) => l.startsWith('{'))
          .map((l) => JSON.parse(l) as Record<string, unknown>);
        resolve({ out: stdout.trim(), logs });
      },
    );
  });
}

const neverAwaited = (l: Record<string, unknown>): boolean => String(l.msg).includes('never awaited');

// The children run the built packages (dist/), like the lifecycle tests.
describe('multi-thread runtime: panics are logged only when nobody awaits them', () => {
  it('an awaited panic whose error was caught logs nothing', async () => {
    const r = await run('awaited');
    expect(JSON.parse(r.out)).toEqual({ mode: 'awaited', caught: 4 });
    expect(r.logs.filter(neverAwaited)).toEqual([]);
  });

  it('a panic nobody awaits is logged once, on the spawning thread', async () => {
    const r = await run('unawaited');
    const lines = r.logs.filter(neverAwaited);
    expect(lines.length).toBe(1);
    expect(lines[0]).toMatchObject({ level: 50, task: 'failsTask', worker: 'main' });
  });
});
