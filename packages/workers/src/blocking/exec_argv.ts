/**
 * Node flags for pool threads.
 *
 * By default the pool leaves `execArgv` unset and Node lets each thread inherit the
 * parent's options, which is always safe. Two cases need an explicit list: the caller
 * passed one, or the pool runs from TypeScript sources and its threads must preload tsx
 * (see `tsx_loader.ts`). An explicit list built from `process.execArgv` has to drop what
 * only makes sense for the main script (`-e <code>` would run the code again in every
 * thread; `--input-type` breaks every ESM import there; test-runner and watch flags), and
 * Node rejects some flags in workers outright (V8 and process-wide ones), which piscina
 * would only report from inside a later `run()`. So lists are cleaned and checked here,
 * when the pool is built.
 */
import { Worker } from 'node:worker_threads';
import { typeError } from '@skein/core';
import { tsxBootstrapImport } from './tsx_loader.js';

/** Flags that belong to the main script, with whether they take the next argument as value. */
const MAIN_ONLY_FLAGS: ReadonlyMap<string, boolean> = new Map([
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
  ['--watch-preserve-output', false],
  ['--watch-path', true],
  ['--test-reporter', true],
  ['--test-reporter-destination', true],
  ['--test-name-pattern', true],
  ['--test-skip-pattern', true],
  ['--test-concurrency', true],
  ['--test-timeout', true],
  ['--test-shard', true],
  ['--test-only', false],
  ['--test-coverage', false],
  ['--experimental-test-coverage', false],
]);

/** Flags that load a module before the thread's entry, each followed by its specifier. */
const PRELOAD_FLAGS: ReadonlySet<string> = new Set([
  '--import',
  '--require',
  '-r',
  '--loader',
  '--experimental-loader',
]);

/** `argv` without the flags that only make sense for the main script (`-e <code>`, `--input-type`, ...). */
export function inheritableExecArgv(argv: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const eq = arg.indexOf('=');
    const name = arg.startsWith('--') && eq > 0 ? arg.slice(0, eq) : arg;
    const takesValue = MAIN_ONLY_FLAGS.get(name);
    if (takesValue === undefined) {
      out.push(arg);
    } else if (takesValue && name === arg) {
      i++; // skip the separate value too
    }
  }
  return out;
}

/**
 * Flags for threads when the pool runs from TypeScript sources: the inheritable part of
 * `base`, then tsx's bootstrap (so piscina can import `pool_worker.ts`), then the
 * `skein-source` condition (workspace packages resolve to their sources, as in the parent).
 */
export function sourceModeExecArgv(base: readonly string[], tsxApiUrl: string | undefined): string[] {
  const argv = inheritableExecArgv(base);
  if (tsxApiUrl !== undefined) argv.push('--import', tsxBootstrapImport(tsxApiUrl));
  if (!hasCondition(argv, 'skein-source')) argv.push('--conditions=skein-source');
  return argv;
}

/** Whether `argv` sets the resolution condition `condition`. */
export function hasCondition(argv: readonly string[], condition: string): boolean {
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if ((a === '--conditions' || a === '-C') && argv[i + 1] === condition) return true;
    if (a === `--conditions=${condition}` || a === `-C=${condition}`) return true;
  }
  return false;
}

/**
 * Throw a TypeError (`ERR_WORKER_INVALID_EXEC_ARGV`) now if worker threads refuse `execArgv`
 * (e.g. `--max-old-space-size`, `--expose-gc`). The Worker constructor checks the flags
 * synchronously; the probe thread that does start (with preloads left out, so it loads
 * nothing) is terminated at once.
 */
export function assertWorkerExecArgv(execArgv: readonly string[]): void {
  const flags: string[] = [];
  for (let i = 0; i < execArgv.length; i++) {
    const a = execArgv[i]!;
    if (PRELOAD_FLAGS.has(a)) i++;
    else if (![...PRELOAD_FLAGS].some((f) => a.startsWith(`${f}=`))) flags.push(a);
  }
  let probe: Worker;
  try {
    probe = new Worker('', { eval: true, execArgv: flags });
  } catch (err) {
    const wrapped = typeError(
      `worker threads refuse the blocking pool's thread flags: ${(err as Error).message}. ` +
        'Leave V8 and process-wide flags out of BlockingPoolOptions.execArgv',
      'ERR_WORKER_INVALID_EXEC_ARGV',
    );
    wrapped.cause = err;
    throw wrapped;
  }
  probe.unref();
  void probe.terminate();
}
