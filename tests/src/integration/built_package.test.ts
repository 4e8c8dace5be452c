import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// The suite runs the TypeScript sources; this one test runs the *built* package the way a
// user's project does (the test command builds with `tsc -b` first).
describe('the built @skein/core package', () => {
  const dist = fileURLToPath(new URL('../../../packages/core/dist/', import.meta.url));

  it('ships JavaScript and .d.ts files', () => {
    expect(existsSync(`${dist}index.js`)).toBe(true);
    expect(existsSync(`${dist}index.d.ts`)).toBe(true);
  });

  it('runs a program from plain node through its exports map', () => {
    const script = fileURLToPath(new URL('./fixtures/consumer.mjs', import.meta.url));
    const out = execFileSync(process.execPath, [script], {
      encoding: 'utf8',
      env: { ...process.env, NODE_OPTIONS: '' },
    });
    const result = JSON.parse(out.trim().split('\n').pop()!);
    expect(result.resolved).toMatch(/packages\/core\/dist\/index\.js$/);
    expect(result.order).toEqual([9, 8, 7, 6, 5, 4, 3, 2, 1, 0]);
    expect(result.doubled).toBe(42);
    expect(result.channel).toBe('through');
  });
});
