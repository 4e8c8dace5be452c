import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const child = fileURLToPath(new URL('./fixtures/lifecycle_child.mjs', import.meta.url));
const cwd = fileURLToPath(new URL('../../../', import.meta.url));

function run(mode: string): { status: number | null; out: Record<string, unknown> | undefined; ms: number; stderr: string } {
  const t = Date.now();
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--conditions=skein-source', child, mode], {
    cwd, encoding: 'utf8', timeout: 30_000, env: { ...process.env, NODE_OPTIONS: '' },
  });
  const line = r.stdout.trim().split('\n').pop();
  return { status: r.status, out: line ? (JSON.parse(line) as Record<string, unknown>) : undefined, ms: Date.now() - t, stderr: r.stderr };
}

describe('multi-thread runtime: shutting down lets the process exit', () => {
  for (const mode of ['shutdown', 'timeout', 'background', 'none', 'main']) {
    it(`exits promptly after ${mode}`, () => {
      const r = run(mode);
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
      expect(r.out).toMatchObject({ mode, v: 2 });
      // Startup from TypeScript sources dominates; a hang would hit the 30 s timeout.
      expect(r.ms).toBeLessThan(15_000);
    });
  }
});
