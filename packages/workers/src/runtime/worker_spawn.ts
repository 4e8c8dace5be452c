/**
 * Starting one runtime worker thread: which entry, which Node flags.
 *
 * From `dist/` the entry is `worker_main.js`, with the parent's flags inherited (Node's
 * default). From TypeScript sources (tests under vitest, `tsx` scripts using the workspace
 * sources) the entry is a JavaScript bootstrap in a `data:` URL that registers tsx and then
 * imports `worker_main.ts`, and the thread gets `--conditions=skein-source` so that
 * `@skein/core` resolves to the same sources as on the main thread (and error classes line
 * up). Flags that only make sense for the main script (`-e`, `--input-type`, test-runner
 * and watch flags) are dropped from the inherited list.
 */
import { MessageChannel, Worker, type ResourceLimits } from 'node:worker_threads';
import { wrap, type Remote } from 'comlink';
import { nodeEndpoint } from '../control/endpoint.js';
import type { WorkerBoot, WorkerControl } from '../control/worker_api.js';
import { TSX_REGISTERED, cwdBase, resolveTsxEsmApi } from '../blocking/tsx_loader.js';

const FROM_SOURCE = import.meta.url.endsWith('.ts');
const ENTRY = new URL(FROM_SOURCE ? './worker_main.ts' : './worker_main.js', import.meta.url);

/** Flags of the main script only, with whether they take the next argument as a value. */
const MAIN_ONLY: ReadonlyMap<string, boolean> = new Map([
  ['-e', true],
  ['--eval', true],
  ['-p', true],
  ['--print', true],
  ['--input-type', true],
  ['-i', false],
  ['--interactive', false],
  ['-c', false],
  ['--check', false],
  ['--test', false],
  ['--watch', false],
  ['--watch-path', true],
  ['--watch-preserve-output', false],
  ['--test-reporter', true],
  ['--test-reporter-destination', true],
  ['--test-name-pattern', true],
  ['--test-only', false],
  ['--experimental-test-coverage', false],
]);

function inheritableExecArgv(argv: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const eq = arg.indexOf('=');
    const name = arg.startsWith('--') && eq > 0 ? arg.slice(0, eq) : arg;
    const takesValue = MAIN_ONLY.get(name);
    if (takesValue === undefined) out.push(arg);
    else if (takesValue && name === arg) i++;
  }
  return out;
}

let tsxApi: string | undefined | null = null;

/** tsx's API URL (looked up once), for the source bootstrap and lazy TS task modules. */
export function tsxApiUrl(): string | undefined {
  if (tsxApi === null) tsxApi = resolveTsxEsmApi([import.meta.url, cwdBase()]);
  return tsxApi;
}

function bootstrapUrl(api: string): URL {
  const source =
    `import { register } from ${JSON.stringify(api)};\n` +
    'register();\n' +
    `globalThis[Symbol.for(${JSON.stringify(TSX_REGISTERED.description)})] = true;\n` +
    `await import(${JSON.stringify(ENTRY.href)});\n`;
  return new URL(`data:text/javascript,${encodeURIComponent(source)}`);
}

/** A started worker thread and its control-plane proxy. */
export interface StartedWorker {
  readonly thread: Worker;
  readonly control: Remote<WorkerControl>;
  /** Close the main side of the control port. */
  closeControl(): void;
}

/** Start worker `boot.index` (its `control` port is created here). */
export function startWorker(
  boot: Omit<WorkerBoot, 'control'>,
  name: string,
  resourceLimits: ResourceLimits | undefined,
): StartedWorker {
  const { port1, port2 } = new MessageChannel();
  const data: WorkerBoot = { ...boot, control: port2 };
  let entry: URL = ENTRY;
  let execArgv: string[] | undefined;
  if (FROM_SOURCE) {
    const api = tsxApiUrl();
    if (api === undefined)
      throw new Error(
        '@skein/workers runs from TypeScript sources but tsx is not installed: install tsx, or build the package',
      );
    entry = bootstrapUrl(api);
    execArgv = inheritableExecArgv(process.execArgv);
    if (!execArgv.some((a) => a === '--conditions=skein-source' || a === '-C=skein-source'))
      execArgv.push('--conditions=skein-source');
  }
  const thread = new Worker(entry, {
    workerData: data,
    transferList: [port2],
    ...(execArgv === undefined ? {} : { execArgv }),
    ...(resourceLimits === undefined ? {} : { resourceLimits }),
    name,
  } as ConstructorParameters<typeof Worker>[1]);
  const control = wrap<WorkerControl>(nodeEndpoint(port1));
  port1.unref(); // after comlink's listener: the main thread's keep-alive is managed by the backend
  return {
    thread,
    control,
    closeControl: () => port1.close(),
  };
}
