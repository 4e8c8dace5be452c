import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// `stripInternal` keeps `@internal` members out of the published .d.ts; a member that is
// still declared with the tag means users would see (and could come to rely on) it. This
// reads what the build (run before the suite) emitted, from the public entry outwards.
const dist = fileURLToPath(new URL('../../../packages/core/dist/', import.meta.url));

/** Relative module specifiers in a .d.ts: `from './x.js'` and `import('./x.js')`. */
const SPECIFIER = /(?:\bfrom\s+|\bimport\(\s*)['"](\.{1,2}\/[^'"]+)\.js['"]/g;

/** Every .d.ts reachable from `entry`, with its text. */
function reachableDeclarations(entry: string): Map<string, string> {
  const seen = new Map<string, string>();
  const pending = [entry];
  for (let file = pending.pop(); file !== undefined; file = pending.pop()) {
    if (seen.has(file)) continue;
    const text = readFileSync(file, 'utf8');
    seen.set(file, text);
    for (const m of text.matchAll(SPECIFIER)) {
      const base = join(dirname(file), m[1]!);
      // `./dir/index.js` and `./file.js` both appear; the emitted file is `<base>.d.ts`.
      const next = `${base}.d.ts`;
      if (existsSync(next)) pending.push(next);
    }
  }
  return seen;
}

describe('the published declarations of @skein/core', () => {
  const files = reachableDeclarations(join(dist, 'index.d.ts'));

  it('reach the task and runtime classes from the public entry', () => {
    const names = [...files.keys()].map((f) => relative(dist, f));
    expect(names).toEqual(
      expect.arrayContaining(['index.d.ts', 'task/join_handle.d.ts', 'runtime/runtime.d.ts', 'runtime/handle.d.ts']),
    );
  });

  it('carry no @internal declaration', () => {
    const tagged = [...files].filter(([, text]) => text.includes('@internal')).map(([f]) => relative(dist, f));
    expect(tagged).toEqual([]);
  });

  it('still declare the classes whose members were stripped', () => {
    // A tag in a class's own doc comment would strip the whole class, not just a member.
    const all = [...files.values()].join('\n');
    for (const name of ['Runtime', 'Handle', 'JoinHandle', 'AbortHandle', 'Builder']) {
      expect(all).toMatch(new RegExp(`export declare class ${name}\\b`));
    }
  });

  it('hide how handles are made', () => {
    const joinHandle = files.get(join(dist, 'task/join_handle.d.ts'))!;
    const cls = joinHandle.slice(joinHandle.indexOf('export declare class JoinHandle'));
    expect(cls).toContain('private constructor();');
    expect(cls).not.toMatch(/\breadonly target\b/);
    expect(files.get(join(dist, 'runtime/handle.d.ts'))).toContain('private constructor();');
  });
});
