/**
 * The top-level README's code runs as printed: its `ts` blocks are written out as files
 * (a block split on `// name.ts` lines, or `taste<N>.ts` when it names none) beside the
 * tests package, so `@skein/*` resolve as they do for a user, and run with tsx.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const dir = fileURLToPath(new URL('../../.readme-snippets/', import.meta.url));

function writeSnippets(): string[] {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const readme = readFileSync(`${root}README.md`, 'utf8');
  const unnamed: string[] = [];
  for (const [, block] of readme.matchAll(/```ts\n([\s\S]*?)```/g)) {
    const parts = block!.split(/^\/\/ (\S+\.ts)\b.*$/m);
    if (parts.length === 1) {
      const name = `taste${unnamed.length}.ts`;
      unnamed.push(name);
      writeFileSync(dir + name, block!);
      continue;
    }
    // The server listens on a port the OS picks, so the test runs beside anything on 3000.
    for (let i = 1; i < parts.length; i += 2)
      writeFileSync(dir + parts[i]!, parts[i + 1]!.replace("'127.0.0.1:3000'", "'127.0.0.1:0'"));
  }
  return unnamed;
}

const tsx = ['--import', 'tsx'];

describe('the README', () => {
  const unnamed = writeSnippets();
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('has a first example that runs and prints what the channel carried', () => {
    const r = spawnSync(process.execPath, [...tsx, `${dir}${unnamed[0]}`], {
      cwd: dir,
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('got 0\ngot 1\ngot 2\n');
    expect(r.status).toBe(0);
  });

  it('has a server that answers on both routes and shuts down on SIGINT', async () => {
    const child = spawn(process.execPath, [...tsx, `${dir}server.ts`], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d));
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    const url = await new Promise<string>((resolve, reject) => {
      child.stdout.on('data', (d: Buffer) => {
        out += d;
        const m = /listening on (\S+)/.exec(out);
        if (m) resolve(m[1]!);
      });
      child.once('exit', () => reject(new Error(`server exited: ${out}${err}`)));
    });
    expect(await (await fetch(`${url}/hello`)).json()).toEqual({ hello: 'world' });
    expect(await (await fetch(`${url}/fib/20`)).json()).toEqual({ fib: 6765 });
    child.kill('SIGINT');
    expect(await exited).toBe(0);
    expect(err).toBe('');
  });
});
