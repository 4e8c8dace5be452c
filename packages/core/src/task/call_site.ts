/**
 * Where user code called into skein: the spawn site of a task, the await site of a
 * runtime await. Only task tracking asks for these, since a stack capture costs far more
 * than a spawn.
 *
 * A site is the first stack frame outside skein's own packages (every `@skein/*` package
 * sits next to this one, in `packages/` of the workspace or `node_modules/@skein/` once
 * installed) and outside Node's internals. The skein frame just below it names the
 * operation (`Mutex.lock`, `Receiver.recv`).
 */
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The directory holding every skein package, as it appears in stack frames. */
const PACKAGES_URL = new URL('../../../', import.meta.url).href;
const PACKAGES_PATH = fileURLToPath(PACKAGES_URL);
/** Frames kept by a capture: enough to climb out of skein's own calls. */
const DEPTH = 12;

/** A captured stack, formatted only when read (V8 formats `stack` lazily). */
export interface StackHolder {
  readonly stack?: string;
}

/** Capture the current stack, cheap until read. */
export function captureStack(): StackHolder {
  const holder: { stack?: string } = {};
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = DEPTH;
  Error.captureStackTrace(holder, captureStack);
  Error.stackTraceLimit = limit;
  return holder;
}

/** A site read from a stack: `file:line` of the user frame and the skein call it made. */
export interface CallSite {
  /** `file:line`, relative to the working directory when under it; '' when no user frame. */
  readonly site: string;
  /** The skein function user code called (`Mutex.lock`), '' when unknown. */
  readonly operation: string;
}

const FRAME = /^\s*at (?:async )?(?:(.*?) \()?(.+?):(\d+):\d+\)?$/;

/** The first user frame of `stack`, and the skein call just below it. */
export function readCallSite(holder: StackHolder): CallSite {
  const lines = (holder.stack ?? '').split('\n');
  let operation = '';
  for (let i = 1; i < lines.length; i++) {
    const m = FRAME.exec(lines[i]!);
    if (m === null) continue;
    const fn = m[1] ?? '';
    const file = m[2]!;
    if (file.startsWith('node:') || file.startsWith('internal/')) continue;
    if (file.startsWith(PACKAGES_URL) || file.startsWith(PACKAGES_PATH)) {
      if (fn !== '') operation = fn.startsWith('#') ? operation : fn;
      continue;
    }
    return { site: `${displayPath(file)}:${m[3]!}`, operation };
  }
  return { site: '', operation };
}

function displayPath(file: string): string {
  const path = file.startsWith('file://') ? fileURLToPath(file) : file;
  const rel = relative(process.cwd(), path);
  return rel.startsWith('..') ? path : rel;
}
