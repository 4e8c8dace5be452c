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
  const f = firstUserFrame(holder);
  return { site: f.file === '' ? '' : `${displayPath(f.file)}:${f.line}`, operation: f.operation };
}

/**
 * `file:line` of the first user frame of the current stack, for telling two sites apart:
 * read off V8's structured frames, since formatting the whole stack (as reading `stack`
 * does) costs many times the capture.
 */
function currentSite(): string {
  const prepare = Error.prepareStackTrace;
  const limit = Error.stackTraceLimit;
  Error.prepareStackTrace = firstUserSite;
  Error.stackTraceLimit = DEPTH;
  try {
    const holder: { stack?: string } = {};
    Error.captureStackTrace(holder, currentSite);
    return holder.stack ?? '';
  } finally {
    Error.prepareStackTrace = prepare;
    Error.stackTraceLimit = limit;
  }
}

function firstUserSite(_: Error, frames: NodeJS.CallSite[]): string {
  for (const f of frames) {
    const file = f.getFileName() ?? '';
    if (file === '' || isNodeFile(file) || isSkeinFile(file)) continue;
    return `${file}:${f.getLineNumber()}`;
  }
  return '';
}

function isNodeFile(file: string): boolean {
  return file.startsWith('node:') || file.startsWith('internal/');
}

function isSkeinFile(file: string): boolean {
  return file.startsWith(PACKAGES_URL) || file.startsWith(PACKAGES_PATH);
}

function firstUserFrame(holder: StackHolder): { file: string; line: string; operation: string } {
  const lines = (holder.stack ?? '').split('\n');
  let operation = '';
  for (let i = 1; i < lines.length; i++) {
    const m = FRAME.exec(lines[i]!);
    if (m === null) continue;
    const fn = m[1] ?? '';
    const file = m[2]!;
    if (isNodeFile(file)) continue;
    if (isSkeinFile(file)) {
      if (fn !== '') operation = fn.startsWith('#') ? operation : fn;
      continue;
    }
    return { file, line: m[3]!, operation };
  }
  return { file: '', line: '', operation };
}

function displayPath(file: string): string {
  const path = file.startsWith('file://') ? fileURLToPath(file) : file;
  const rel = relative(process.cwd(), path);
  return rel.startsWith('..') ? path : rel;
}

/** Hits on a cached site between two checks of it, at most. */
const CHECK_EVERY = 4096;
/** Distinct keys cached at most: past this (generated code), sites are captured each time. */
const MAX_KEYS = 10_000;
/** What a context maps to once two different sites were seen under it and its key. */
const AMBIGUOUS: unique symbol = Symbol('skein.site.ambiguous');

interface CachedSite {
  readonly stack: StackHolder;
  /** Its site (`currentSite`), read when the stack was captured. */
  readonly site: string;
  /** The context it was captured in (see SiteCache): what tells it apart from a second place under its key. */
  readonly context: unknown;
  hits: number;
  nextCheck: number;
}

/** The sites of a key that showed two places, by context. */
type SitesByContext = Map<unknown, CachedSite | typeof AMBIGUOUS>;

/**
 * Call sites captured once per place in the code rather than once per call.
 *
 * Tokio console gets a spawn site for free (`#[track_caller]`); in JavaScript it takes a
 * stack capture, which costs several microseconds, far more than the spawn it describes
 * (task tracking ran spawn_many at a tenth of the untracked rate with a capture per
 * spawn). So a caller names the code it is about to run (see {@link codeKey}), and the
 * first capture for a key stands for the later calls with that key. Two places can share a
 * key (two identical closures): each key is checked against a fresh capture at its 1st,
 * 2nd, 4th, … hit and then every {@link CHECK_EVERY}th. A key that shows a second site is
 * told apart by its context from then on (the `contextOf` given at construction: for a
 * spawn, the spawning task's code), which is looked up only for such keys, since it costs
 * a sizeable part of a spawn; a key and context that show two sites are captured on every
 * call. Until a check catches it, a second place is reported as the first one it shares a
 * key with: at most {@link CHECK_EVERY} calls, once per pair of places.
 */
export class SiteCache {
  readonly #contextOf: () => unknown;
  readonly #byKey = new Map<unknown, CachedSite | SitesByContext>();
  #size = 0;
  /** The entry found last and its key, when it needs no context: a spawn loop asks for one place over and over. */
  #last: CachedSite | undefined = undefined;
  #lastKey: unknown = undefined;

  /** `contextOf` tells apart the places of a key that shows more than one (see the class comment). */
  constructor(contextOf: () => unknown) {
    this.#contextOf = contextOf;
  }

  /** The stack for a call at the place `key` names. */
  capture(key: unknown): StackHolder {
    const last = this.#last;
    if (last !== undefined && key === this.#lastKey) return this.#hit(last, key);
    const e = this.#byKey.get(key);
    if (e === undefined) {
      if (this.#size >= MAX_KEYS) return captureStack();
      const c = this.#cache(this.#contextOf());
      this.#byKey.set(key, c);
      return c.stack;
    }
    if (!(e instanceof Map)) {
      this.#last = e;
      this.#lastKey = key;
      return this.#hit(e, key);
    }
    const context = this.#contextOf();
    const c = e.get(context);
    if (c === undefined) {
      if (this.#size >= MAX_KEYS) return captureStack();
      const fresh = this.#cache(context);
      e.set(context, fresh);
      return fresh.stack;
    }
    if (c === AMBIGUOUS) return captureStack();
    if (!this.#due(c) || currentSite() === c.site) return c.stack;
    e.set(context, AMBIGUOUS);
    return captureStack();
  }

  /** A capture kept for later calls in `context`. */
  #cache(context: unknown): CachedSite {
    this.#size++;
    const stack = captureStack();
    return { stack, site: currentSite(), context, hits: 0, nextCheck: 1 };
  }

  /** Counts a hit on `c`; true when it is to be checked against a fresh capture. */
  #due(c: CachedSite): boolean {
    if (++c.hits < c.nextCheck) return false;
    c.nextCheck = c.hits + Math.min(c.hits, CHECK_EVERY);
    return true;
  }

  /**
   * A later call at a place cached without context: its stack, unless a check finds a
   * second place under its key, which then splits by context.
   */
  #hit(c: CachedSite, key: unknown): StackHolder {
    if (!this.#due(c)) return c.stack;
    const site = currentSite();
    if (site === c.site) return c.stack;
    this.#last = undefined;
    const byContext: SitesByContext = new Map([[c.context, c]]);
    this.#byKey.set(key, byContext);
    const context = this.#contextOf();
    if (context === c.context) {
      byContext.set(context, AMBIGUOUS);
      return captureStack();
    }
    const fresh = this.#cache(context);
    byContext.set(context, fresh);
    return fresh.stack;
  }
}

/** Source text past this length is keyed by its length and its start. */
const KEY_CHARS = 96;
const fnToString = Function.prototype.toString;

/**
 * A cheap key for the code of `fn`: closures made by one expression share it, which is what
 * lets {@link SiteCache} skip their stack captures. Long sources are cut (a collision only
 * costs the cache a check).
 */
export function codeKey(fn: unknown): unknown {
  if (typeof fn !== 'function') return fn;
  const s = fnToString.call(fn);
  return s.length <= KEY_CHARS ? s : `${s.length}:${s.slice(0, KEY_CHARS)}`;
}
