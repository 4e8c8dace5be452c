import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const packageDirs = readdirSync(`${root}packages`)
  .map((d) => `${root}packages/${d}/`)
  .filter((d) => existsSync(`${d}package.json`));

interface Manifest {
  name: string;
  private?: boolean;
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
}

function manifest(dir: string): Manifest {
  return JSON.parse(readFileSync(`${dir}package.json`, 'utf8')) as Manifest;
}

/** The paths `npm pack` would put in the package's tarball. */
function tarball(dir: string): string[] {
  const out = execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], {
    cwd: dir,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  return (JSON.parse(out) as { files: { path: string }[] }[])[0]!.files.map((f) => f.path);
}

describe('the published packages', () => {
  it('each tarball carries a LICENSE', () => {
    for (const dir of packageDirs) expect(tarball(dir), dir).toContain('LICENSE');
  });

  it('have no cyclic workspace dependencies (pnpm warns about those)', () => {
    const workspace = [root, `${root}tests/`, `${root}benchmarks/`, `${root}examples/`, ...packageDirs]
      .filter((d) => existsSync(`${d}package.json`))
      .map(manifest);
    const names = new Set(workspace.map((m) => m.name));
    const edges = new Map<string, string[]>();
    for (const m of workspace) {
      const all = { ...m.dependencies, ...m.devDependencies, ...m.peerDependencies, ...m.optionalDependencies };
      edges.set(
        m.name,
        Object.keys(all).filter((n) => names.has(n)),
      );
    }
    const visiting = new Set<string>();
    const done = new Set<string>();
    const visit = (n: string, path: string[]): void => {
      if (done.has(n)) return;
      expect(visiting.has(n), `cycle: ${[...path, n].join(' -> ')}`).toBe(false);
      visiting.add(n);
      for (const m of edges.get(n) ?? []) visit(m, [...path, n]);
      visiting.delete(n);
      done.add(n);
    };
    for (const n of names) visit(n, []);
  });

  it('READMEs point at nothing outside the repository', () => {
    for (const dir of packageDirs) {
      if (!existsSync(`${dir}README.md`)) continue;
      const text = readFileSync(`${dir}README.md`, 'utf8');
      // A link is an in-page anchor or a file the tarball ships (the console's screenshot):
      // npm's page and an installed copy have nothing else beside the README.
      const shipped = tarball(dir);
      for (const [, target] of text.matchAll(/\]\(([^)#][^)]*)\)/g))
        expect(shipped, `${dir}README.md links ${target}`).toContain(target);
      expect(text, dir).not.toMatch(/API\.md|DESIGN\.md|steering|\.\.\/\.\.\//);
    }
  });
});
