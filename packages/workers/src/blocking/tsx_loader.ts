/**
 * Importing TypeScript task modules in worker and blocking-pool threads.
 *
 * Threads find a task by (module URL, export name) and import the module themselves, and
 * many users (and skein's own tests) write those modules in TypeScript. Three ways exist:
 *
 * - **Node strips the types itself** (22.18+, 24 and 26 by default; 22.6-22.17 with
 *   `--experimental-strip-types`, which threads inherit). No package needed. Only erasable
 *   syntax, and imports must name the `.ts` files, as for the main program.
 * - **tsx**, an optional peer of this package, for syntax Node can't strip (enums,
 *   namespaces, parameter properties) and for imports written with `.js` specifiers. A
 *   worker thread does not always inherit the main thread's hooks (`--import tsx`
 *   registers on the main thread only before Node 22.22.3 / 24.11.1), but `register()` from
 *   `tsx/esm/api`, called inside the thread, works.
 * - **skein's own sources** (tests, workspace scripts): their imports use `.js` specifiers,
 *   so a thread running them has tsx registered before its entry loads
 *   ({@link tsxBootstrapImport}, `worker_spawn.ts`).
 *
 * {@link importModule} picks: tsx when its hooks are already on in this thread, when the
 * program runs under tsx (its loader in `execArgv`), or when Node can't strip types;
 * otherwise Node, falling back to tsx for syntax Node refuses to strip. tsx is looked up
 * from this package, the module's location and the working directory. Only the `import`
 * flavour of `tsx/esm/api` works from ESM (its CommonJS build resolves its hooks file from
 * the wrong directory when imported), so the file is read from tsx's `exports` map.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve as resolvePath } from 'node:path';
import { pathToFileURL } from 'node:url';

/** Set on `globalThis` once tsx's hooks are registered in the current thread. */
export const TSX_REGISTERED: unique symbol = Symbol.for('skein.tsxRegistered') as never;

/** Shared with `@skein/core` (task/task_module_import.ts): URLs being imported as task modules. */
const TASK_MODULE_IMPORTS = Symbol.for('skein.taskModuleImports');

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
  return importTarget(map.import) ?? importTarget(map.default);
}

/**
 * The `--import` specifier that registers tsx in a thread before anything else loads: a
 * `data:` URL (so no JavaScript file has to ship next to the TypeScript sources).
 */
export function tsxBootstrapImport(tsxApiUrl: string): string {
  const source =
    `import { register } from ${JSON.stringify(tsxApiUrl)};\n` +
    'register();\n' +
    `globalThis[Symbol.for(${JSON.stringify(TSX_REGISTERED.description)})] = true;\n`;
  return `data:text/javascript,${encodeURIComponent(source)}`;
}

/** Whether Node strips TypeScript types in this thread by itself. */
export function nodeStripsTypes(): boolean {
  return Boolean((process.features as { typescript?: string | false }).typescript);
}

/** Whether the program runs under tsx (`tsx app.ts`, `node --import tsx`): threads inherit that. */
export function runsUnderTsx(execArgv: readonly string[] = process.execArgv): boolean {
  return execArgv.some((a) => a === 'tsx' || a === 'tsx/esm' || /[\\/]tsx[\\/]dist[\\/]/.test(a));
}

/** What to do about a TypeScript module Node can't import by itself, on this Node. */
function whatToInstall(url: string, why: string): string {
  const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
  const nodeAdvice = nodeStripsTypes()
    ? ''
    : major === 22 && minor >= 6
      ? ', or run node with --experimental-strip-types (Node 22.18+ strips types by default)'
      : ', or use Node 22.18+, which strips types by default';
  return (
    `cannot import the TypeScript module ${url} in a worker thread: ${why}. ` +
    `Install tsx next to your code (\`npm i -D tsx\`)${nodeAdvice}, or compile the module to JavaScript`
  );
}

let registering: Promise<void> | undefined;

/**
 * Make sure tsx's hooks are registered in this thread before importing `moduleUrl`.
 * `preferredApiUrl` is the lookup made from this package; the module's location and the
 * working directory are tried next. Throws a `TypeError` (`ERR_UNKNOWN_FILE_EXTENSION`,
 * as Node would) that says how to fix it when tsx can't be found.
 */
export function ensureTsx(
  moduleUrl: string,
  preferredApiUrl: string | undefined,
  why = 'tsx was not found',
): Promise<void> {
  if ((globalThis as Record<symbol, unknown>)[TSX_REGISTERED] === true) return Promise.resolve();
  return (registering ??= (async () => {
    const apiUrl =
      preferredApiUrl ?? resolveTsxEsmApi(moduleUrl.startsWith('file:') ? [moduleUrl, cwdBase()] : [cwdBase()]);
    if (apiUrl === undefined) {
      const err = new TypeError(whatToInstall(moduleUrl, why)) as TypeError & { code: string };
      err.code = 'ERR_UNKNOWN_FILE_EXTENSION';
      throw err;
    }
    const api = (await import(apiUrl)) as { register?: () => unknown };
    if (typeof api.register !== 'function')
      throw new TypeError(`${apiUrl} does not export register(); tsx 4 or newer is required`);
    api.register();
    (globalThis as Record<symbol, unknown>)[TSX_REGISTERED] = true;
  })().catch((err: unknown) => {
    registering = undefined;
    throw err;
  }));
}

/**
 * Import the task module `url` in this thread, TypeScript included (see the file comment for
 * which way). `tsxApiUrl` is tsx as the starting thread found it, if it did.
 */
export async function importModule(url: string, tsxApiUrl: string | undefined): Promise<Record<string, unknown>> {
  // While it evaluates, building a runtime or starting a server is an error naming it
  // (`@skein/core`'s task_module_import.ts reads this list; pool threads don't load core).
  const g = globalThis as Record<symbol, string[] | undefined>;
  const importing = (g[TASK_MODULE_IMPORTS] ??= []);
  importing.push(url);
  try {
    return await importTypeScriptAware(url, tsxApiUrl);
  } finally {
    importing.splice(importing.indexOf(url), 1);
  }
}

async function importTypeScriptAware(url: string, tsxApiUrl: string | undefined): Promise<Record<string, unknown>> {
  if (!isTypeScriptUrl(url) || (globalThis as Record<symbol, unknown>)[TSX_REGISTERED] === true) {
    return (await import(url)) as Record<string, unknown>;
  }
  if (runsUnderTsx() || !nodeStripsTypes()) {
    await ensureTsx(
      url,
      tsxApiUrl,
      `Node ${process.version} does not strip types in this thread, and tsx was not found`,
    );
    return (await import(url)) as Record<string, unknown>;
  }
  try {
    return (await import(url)) as Record<string, unknown>;
  } catch (err) {
    if ((err as { code?: unknown }).code !== 'ERR_UNSUPPORTED_TYPESCRIPT_SYNTAX') throw err;
    // Syntax Node can't strip: tsx transforms it (a failed strip is not cached, so a second
    // import goes through tsx's hooks).
    await ensureTsx(
      url,
      tsxApiUrl,
      `it uses TypeScript syntax Node can't strip (${(err as Error).message.split('\n')[0]}), and tsx was not found`,
    );
    return (await import(url)) as Record<string, unknown>;
  }
}
