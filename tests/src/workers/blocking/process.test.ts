/**
 * The blocking pool in a separate process: an idle pool must not keep the process alive,
 * and the pool works both from TypeScript sources (under tsx) and built to JavaScript under
 * plain `node`, where pool threads load TypeScript task modules through tsx on their own.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';

const require = createRequire(import.meta.url);
const TSX_LOADER = pathToFileURL(require.resolve('tsx')).href;
const TYPESCRIPT = require.resolve('typescript/bin/tsc');
const BLOCKING_SRC = fileURLToPath(new URL('../../../../packages/workers/src/blocking/', import.meta.url));
// The pool's files and what they import from the rest of the package (the error codec).
const WORKERS_SRC = fileURLToPath(new URL('../../../../packages/workers/src/', import.meta.url));
const WORKERS_NODE_MODULES = fileURLToPath(new URL('../../../../packages/workers/node_modules', import.meta.url));
const TASKS_TS = new URL('./fixtures/tasks.ts', import.meta.url).href;

/** Runs a pool that it never closes, prints the results and the time, and ends. */
const CHILD = `
const { BlockingPool } = await import(process.env.POOL_MODULE);
const pool = new BlockingPool({ maxThreads: 2 }); // default keep-alive: 10 s
const [sum, fib] = await Promise.all([
  pool.run(process.env.TASK_URL, 'add', [2, 3]).promise,
  pool.run(process.env.TASK_URL, 'fib', [20]).promise,
]);
console.log(JSON.stringify({ sum, fib, threads: pool.numThreads, idle: pool.numIdleThreads, doneAt: Date.now() }));
`;

interface ChildResult {
  code: number | null;
  stdout: string;
  stderr: string;
  exitedAt: number;
}

function runChild(nodeArgs: string[], env: Record<string, string>, cwd: string): Promise<ChildResult> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [...nodeArgs, '--input-type=module', '-e', CHILD],
      {
        cwd,
        env: { ...process.env, ...env, NODE_OPTIONS: '' },
        timeout: 30_000,
      },
      (err, stdout, stderr) => {
        resolve({
          code: err === null ? 0 : typeof err.code === 'number' ? err.code : null,
          stdout,
          stderr,
          exitedAt: Date.now(),
        });
      },
    );
  });
}

function parse(result: ChildResult): { sum: number; fib: number; threads: number; idle: number; doneAt: number } {
  const line = result.stdout.trim().split('\n').at(-1) ?? '';
  try {
    return JSON.parse(line) as never;
  } catch {
    throw new Error(`child printed no result (code ${result.code}):\n${result.stdout}\n${result.stderr}`);
  }
}

describe('from TypeScript sources (node --import tsx)', () => {
  test('an idle pool does not keep the process alive', async () => {
    const result = await runChild(
      ['--import', TSX_LOADER],
      {
        POOL_MODULE: pathToFileURL(join(BLOCKING_SRC, 'index.ts')).href,
        TASK_URL: TASKS_TS,
      },
      process.cwd(),
    );
    const out = parse(result);
    expect(result.code, result.stderr).toBe(0);
    expect(out).toMatchObject({ sum: 5, fib: 6765, threads: 2, idle: 2 });
    // The keep-alive is 10 s; the process must not wait for it.
    expect(result.exitedAt - out.doneAt).toBeLessThan(3_000);
  });
});

describe('built to JavaScript (plain node)', () => {
  let dir = '';

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'skein-blocking-js-'));
    const sources = (await readdir(BLOCKING_SRC)).filter((f) => f.endsWith('.ts')).map((f) => join(BLOCKING_SRC, f));
    await new Promise<void>((resolve, reject) => {
      execFile(
        process.execPath,
        [
          TYPESCRIPT,
          '--outDir',
          dir,
          '--rootDir',
          WORKERS_SRC,
          '--module',
          'nodenext',
          '--moduleResolution',
          'nodenext',
          '--target',
          'es2022',
          '--lib',
          'es2022,esnext.disposable',
          '--strict',
          '--skipLibCheck',
          '--types',
          'node',
          '--verbatimModuleSyntax',
          ...sources,
        ],
        { timeout: 60_000 },
        (err, stdout, stderr) => (err === null ? resolve() : reject(new Error(`tsc failed:\n${stdout}\n${stderr}`))),
      );
    });
    // piscina resolves from the build's location, as it would inside the package.
    await symlink(WORKERS_NODE_MODULES, join(dir, 'node_modules'), 'dir');
    await writeFile(join(dir, 'package.json'), '{ "type": "module" }\n');
    await writeFile(
      join(dir, 'tasks.mjs'),
      'export const add = (a, b) => a + b;\n' +
        "export const fib = { [Symbol.for('skein.task')]: true, fn(n) { let a = 0, b = 1; for (let i = 0; i < n; i++) [a, b] = [b, a + b]; return a; } };\n",
    );
  }, 90_000);

  afterAll(async () => {
    if (dir !== '') await rm(dir, { recursive: true, force: true });
  });

  test('runs JavaScript task modules without tsx, and exits when idle', async () => {
    const result = await runChild(
      [],
      {
        POOL_MODULE: pathToFileURL(join(dir, 'blocking', 'index.js')).href,
        TASK_URL: pathToFileURL(join(dir, 'tasks.mjs')).href,
      },
      dir,
    );
    const out = parse(result);
    expect(result.code, result.stderr).toBe(0);
    expect(out).toMatchObject({ sum: 5, fib: 6765, threads: 2, idle: 2 });
    expect(result.exitedAt - out.doneAt).toBeLessThan(3_000);
  });

  test('pool threads load a TypeScript task module through tsx, found from the module', async () => {
    // cwd is the temp dir: tsx is not resolvable from the build or the cwd, only from the
    // task module's location (the workspace).
    const result = await runChild(
      [],
      {
        POOL_MODULE: pathToFileURL(join(dir, 'blocking', 'index.js')).href,
        TASK_URL: TASKS_TS,
      },
      dir,
    );
    const out = parse(result);
    expect(result.code, result.stderr).toBe(0);
    expect(out).toMatchObject({ sum: 5, fib: 6765 });
    expect(result.exitedAt - out.doneAt).toBeLessThan(3_000);
  });
});
