import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

// The suite runs the TypeScript sources; these run the *built* packages the way an
// installed copy runs (the test command builds with `tsc -b` first).
describe('the built @skein/workers package', () => {
  const dist = fileURLToPath(new URL('../../../../packages/workers/dist/', import.meta.url));
  const child = fileURLToPath(new URL('./fixtures/built_child.mjs', import.meta.url));

  function run(nodeFlags: string[], ...args: string[]): Record<string, unknown> {
    const out = execFileSync(process.execPath, [...nodeFlags, child, ...args], {
      encoding: 'utf8',
      timeout: 30_000,
      env: { ...process.env, NODE_OPTIONS: '' },
    });
    return JSON.parse(out.trim().split('\n').pop()!) as Record<string, unknown>;
  }

  it('ships the worker entry as JavaScript', () => {
    expect(existsSync(`${dist}runtime/worker_main.js`)).toBe(true);
    expect(existsSync(`${dist}index.d.ts`)).toBe(true);
  });

  it('runs a multi-thread runtime from plain node with a JavaScript task module', () => {
    const r = run([]);
    expect(r.core).toMatch(/packages\/core\/dist\/index\.js$/);
    expect(r.workers).toMatch(/packages\/workers\/dist\/index\.js$/);
    expect(r.squares).toEqual([1, 4, 9]);
    expect(r.nested).toBe(338_350);
    expect(r.idMatches).toBe(true);
    expect(r.polls).toBeGreaterThan(100);
  });

  it.runIf(Boolean((process.features as { typescript?: unknown }).typescript))(
    "loads a TypeScript task module in dist workers with Node's type stripping, without tsx",
    () => {
      const r = run([], 'strip');
      expect(r.strip).toEqual({ sum: 42, viaTsx: false });
    },
  );

  it('loads a TypeScript task module in dist workers through tsx', () => {
    // The main thread needs tsx to import the .ts module; without the source condition the
    // packages still resolve to dist/, and each dist worker registers tsx by itself.
    const r = run(['--import', 'tsx'], 'ts');
    expect(r.workers).toMatch(/packages\/workers\/dist\/index\.js$/);
    expect(r.ts).toBe(42);
  });
});
