/**
 * Importing task modules in worker threads, TypeScript included.
 *
 * A worker finds a task by (module URL, export name) and imports the module itself.
 * skein's tests, examples and many users write those modules in TypeScript. On Node 20 a
 * worker thread does not inherit the main thread's module hooks (`--import tsx` registers
 * on the main thread only), but `register()` from `tsx/esm/api`, called inside the worker,
 * works. So:
 * - when the runtime itself runs from TypeScript sources, the worker's entry is a small
 *   JavaScript bootstrap (a `data:` URL) that registers tsx before importing the entry
 *   (see `worker_spawn.ts`);
 * - when it runs from `dist/`, a worker registers tsx lazily, the first time it meets a
 *   `.ts`/`.mts`/`.cts` task URL ({@link importTaskModule}).
 *
 * tsx is found from this package first (it is a dependency), then from the working
 * directory. Only the `import` flavour of `tsx/esm/api` works from ESM.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve as resolvePath } from 'node:path';
import { pathToFileURL } from 'node:url';
import { isTaskDef } from '@skein/core';

/** Set on `globalThis` once tsx's hooks are registered in this thread. */
export const TSX_REGISTERED = Symbol.for('skein.tsxRegistered');

const TS_URL = /\.(?:[cm]?ts|tsx)(?:[?#].*)?$/i;

/** Whether importing `url` needs TypeScript support. */
export function isTypeScriptUrl(url: string): boolean {
  return TS_URL.test(url);
}

/** The `file:` URL of `tsx/esm/api` (import flavour), or undefined when tsx isn't installed. */
export function resolveTsxApi(extraBases: readonly string[] = []): string | undefined {
  for (const base of [import.meta.url, ...extraBases, join(process.cwd(), 'noop.js')]) {
    try {
      const pkgPath = createRequire(base).resolve('tsx/package.json');
      const pkg = JSON.parse(readFileSync(pkgPath, 'utf8')) as { exports?: Record<string, unknown> };
      const entry = pkg.exports?.['./esm/api'] as { import?: { default?: string } | string } | undefined;
      const target = (typeof entry?.import === 'string' ? entry.import : entry?.import?.default) ?? './dist/esm/api/index.mjs';
      const file = resolvePath(dirname(pkgPath), target);
      if (existsSync(file)) return pathToFileURL(file).href;
    } catch {
      // not resolvable from this base
    }
  }
  return undefined;
}

let registering: Promise<void> | undefined;

/** Register tsx's hooks in this thread (once). */
export function ensureTsx(forUrl: string, apiUrl: string | undefined): Promise<void> {
  if ((globalThis as Record<symbol, unknown>)[TSX_REGISTERED] === true) return Promise.resolve();
  return (registering ??= (async () => {
    const api = apiUrl ?? resolveTsxApi(forUrl.startsWith('file:') ? [forUrl] : []);
    if (api === undefined) {
      const err = new TypeError(
        `cannot import the TypeScript task module ${forUrl} in a worker thread: tsx was not found. ` +
        'Install it (`npm i tsx`), or compile the task module to JavaScript') as TypeError & { code: string };
      err.code = 'ERR_UNKNOWN_FILE_EXTENSION';
      throw err;
    }
    const mod = (await import(api)) as { register?: () => unknown };
    if (typeof mod.register !== 'function') throw new TypeError(`${api} does not export register(); tsx 4 or newer is required`);
    mod.register();
    (globalThis as Record<symbol, unknown>)[TSX_REGISTERED] = true;
  })().catch((err: unknown) => {
    registering = undefined;
    throw err;
  }));
}

let tsxApiUrl: string | undefined;

/** The tsx API URL the main thread found (passed in workerData). */
export function setTsxApiUrl(url: string | undefined): void {
  tsxApiUrl = url;
}

const modules = new Map<string, Promise<Record<string, unknown>>>();

/** Import a task module (once per thread), registering tsx first for TypeScript URLs. */
export function importTaskModule(url: string): Promise<Record<string, unknown>> {
  let p = modules.get(url);
  if (p === undefined) {
    p = (async () => {
      if (isTypeScriptUrl(url)) await ensureTsx(url, tsxApiUrl);
      const ns = (await import(url)) as Record<string, unknown>;
      // Name the module's task definitions now, so spawning them from this thread needs no
      // asynchronous export-name lookup (tasks that spawn themselves, say).
      for (const key of Object.keys(ns)) {
        const v = ns[key];
        if (isTaskDef(v) && v.exportName === undefined) v.exportName = key;
      }
      return ns;
    })();
    modules.set(url, p);
  }
  return p;
}
