/**
 * Loading TypeScript in pool threads with tsx.
 *
 * Blocking tasks are found by (module URL, export name), and skein's own tests, examples and
 * many users write those modules in TypeScript. On Node 20 a worker thread does not inherit
 * the main thread's module hooks, and tsx's `--import tsx` entry deliberately registers
 * itself on the main thread only (it gates worker registration to Node >= 22.22.3 / 24.11.1).
 * But `register()` from `tsx/esm/api`, called inside a worker, works on Node 20: the worker
 * gets its own hooks. So:
 * - a pool thread that meets a `.ts`/`.mts`/`.cts`/`.tsx` task URL calls `register()` once
 *   ({@link ensureTsx}) before importing it;
 * - when the pool itself runs from sources (its worker entry is `pool_worker.ts`), tsx must
 *   be active before piscina imports that entry, so the pool starts its threads with
 *   `--import <data: URL that calls register()>` ({@link tsxBootstrapImport}).
 *
 * The main thread looks tsx up from the pool's own package (in the workspace: the root
 * devDependency) and then from the working directory, and passes the result to its threads;
 * if neither has it, a thread looks it up from the task module's location. Only the `import`
 * flavour of `tsx/esm/api` works from ESM (its CommonJS build resolves its hooks file from
 * the wrong directory when imported), so the file is read from tsx's `exports` map.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve as resolvePath } from 'node:path';
import { pathToFileURL } from 'node:url';

/** Set on `globalThis` once tsx's hooks are registered in the current thread. */
export const TSX_REGISTERED: unique symbol = Symbol.for('skein.blocking.tsxRegistered') as never;

const TS_URL = /\.(?:[cm]?ts|tsx)(?:[?#].*)?$/i;

/** Whether importing `url` needs TypeScript support. */
export function isTypeScriptUrl(url: string): boolean {
  return TS_URL.test(url);
}

/** A base `createRequire` accepts for the working directory. */
export function cwdBase(): string {
  return join(process.cwd(), 'noop.js');
}

/**
 * The `file:` URL of tsx's ESM API (`tsx/esm/api`, import flavour), looked up from each base
 * (a file path or `file:` URL) in turn; `undefined` when tsx is not installed.
 */
export function resolveTsxEsmApi(bases: readonly (string | URL)[]): string | undefined {
  for (const base of bases) {
    try {
      const pkgPath = createRequire(base).resolve('tsx/package.json');
      const pkg = JSON.parse(readFileSync(pkgPath, 'utf8')) as { exports?: Record<string, unknown> };
      const target = importTarget(pkg.exports?.['./esm/api']) ?? './dist/esm/api/index.mjs';
      const file = resolvePath(dirname(pkgPath), target);
      if (existsSync(file)) return pathToFileURL(file).href;
    } catch {
      // not resolvable from this base; try the next one
    }
  }
  return undefined;
}

function importTarget(entry: unknown): string | undefined {
  if (typeof entry === 'string') return entry;
  if (entry === null || typeof entry !== 'object') return undefined;
  const map = entry as Record<string, unknown>;
  return importTarget(map['import']) ?? importTarget(map['default']);
}

/**
 * The `--import` specifier that registers tsx in a thread before anything else loads: a
 * `data:` URL (so no JavaScript file has to ship next to the TypeScript sources).
 */
export function tsxBootstrapImport(tsxApiUrl: string): string {
  const source =
    `import { register } from ${JSON.stringify(tsxApiUrl)};\n` +
    'register();\n' +
    `globalThis[Symbol.for(${JSON.stringify('skein.blocking.tsxRegistered')})] = true;\n`;
  return `data:text/javascript,${encodeURIComponent(source)}`;
}

let registering: Promise<void> | undefined;

/**
 * Pool thread: make sure tsx's hooks are registered here before importing `moduleUrl`.
 * `preferredApiUrl` is the pool's own lookup (from its package); the module's location and
 * the working directory are tried next. Throws a `TypeError` (`ERR_UNKNOWN_FILE_EXTENSION`,
 * as Node would) that says how to fix it when tsx can't be found.
 */
export function ensureTsx(moduleUrl: string, preferredApiUrl: string | undefined): Promise<void> {
  if ((globalThis as Record<symbol, unknown>)[TSX_REGISTERED] === true) return Promise.resolve();
  return (registering ??= (async () => {
    const apiUrl = preferredApiUrl ?? resolveTsxEsmApi(moduleUrl.startsWith('file:') ? [moduleUrl, cwdBase()] : [cwdBase()]);
    if (apiUrl === undefined) {
      const err = new TypeError(
        `cannot import the TypeScript module ${moduleUrl} in a blocking-pool thread: tsx was not found. ` +
        'Install it next to your code (`npm i -D tsx`), or compile the task module to JavaScript') as TypeError & { code: string };
      err.code = 'ERR_UNKNOWN_FILE_EXTENSION';
      throw err;
    }
    const api = (await import(apiUrl)) as { register?: () => unknown };
    if (typeof api.register !== 'function') throw new TypeError(`${apiUrl} does not export register(); tsx 4 or newer is required`);
    api.register();
    (globalThis as Record<symbol, unknown>)[TSX_REGISTERED] = true;
  })().catch((err: unknown) => {
    registering = undefined;
    throw err;
  }));
}
