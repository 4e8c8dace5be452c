/**
 * Carrying a thrown value across threads: a panic on a runtime worker, a throw in a
 * blocking-pool job, a blocking task forwarded by a worker.
 *
 * The JoinHandle (or job promise), on another thread, reports the thrown value as the
 * JoinError's `cause`, which should look like the original. Structured clone keeps an
 * Error's class only for the built-in ones and drops its own properties (`code`, `errno`,
 * ...), and a value that can't be cloned at all kills a pool thread that posts it. So the
 * throwing thread turns what it caught into plain, always cloneable data
 * ({@link encodeThrown}) and the receiving thread rebuilds it ({@link decodeThrown}):
 * - an Error: the same class for built-ins and registered classes (skein's own, so
 *   `Elapsed`, `Cancelled`, `WorkerCrashedError` are `instanceof` the receiving thread's
 *   classes; see core_errors.ts), otherwise an Error with the same name; with its message,
 *   stack, cause, `errors` and cloneable own properties;
 * - any other value: itself when it can be cloned; an object that can't (one field is a
 *   function, say) keeps the fields that can; a function or symbol becomes its description.
 *
 * It imports nothing from `@skein/core`, so pool threads start light.
 */

/** A thrown value as plain data. */
export type EncodedThrown = EncodedError | { readonly $value: unknown };

/** An Error as plain data. */
export interface EncodedError {
  readonly $error: string;
  readonly message: string;
  readonly stack: string | undefined;
  /** Own enumerable properties that survive structured clone (`code`, `errno`, ...). */
  readonly props: Record<string, unknown>;
  readonly cause?: EncodedThrown;
  /** `AggregateError.errors`. */
  readonly errors?: EncodedThrown[];
  /** JoinError's kind (it has a private field, so it is rebuilt through its constructor). */
  readonly joinKind?: 'cancelled' | 'panic';
}

type ErrorClass = abstract new (...args: never[]) => Error;
/** Rebuilds a JoinError (registered by core_errors.ts). */
type JoinErrorFactory = (kind: 'cancelled' | 'panic', taskId: number, cause: unknown) => Error;

const MAX_DEPTH = 8;
const classes = new Map<string, ErrorClass>();
for (const C of [Error, TypeError, RangeError, SyntaxError, ReferenceError, EvalError, URIError])
  classes.set(C.name, C);
let joinError: JoinErrorFactory | undefined;

/** Make an error class (e.g. one of skein's own) rebuildable by name. */
export function registerErrorClass(C: ErrorClass): void {
  classes.set(C.name, C);
}

/** How to rebuild a JoinError (core's class; see core_errors.ts). */
export function registerJoinError(factory: JoinErrorFactory): void {
  joinError = factory;
}

/** Encode anything that was thrown. Never throws; the result can always be cloned. */
export function encodeThrown(value: unknown, depth = 0): EncodedThrown {
  if (value instanceof Error && depth < MAX_DEPTH) return encodeError(value, depth);
  if (isCloneable(value)) return { $value: value };
  if (value !== null && typeof value === 'object') return { $value: cloneableFields(value) };
  return { $value: `${describe(value)} (the thrown value could not be cloned)` };
}

function encodeError(value: Error, depth: number): EncodedError {
  let name = 'Error';
  let message = '';
  let stack: string | undefined;
  try {
    name = String(value.name);
    message = String(value.message);
    stack = typeof value.stack === 'string' ? value.stack : undefined;
  } catch {
    /* exotic getters */
  }
  const e: { -readonly [K in keyof EncodedError]: EncodedError[K] } = {
    $error: name,
    message,
    stack,
    props: cloneableFields(value, SKIPPED),
  };
  if ('cause' in value) e.cause = encodeThrown(value.cause, depth + 1);
  if (value instanceof AggregateError && Array.isArray(value.errors)) {
    e.errors = value.errors.map((x: unknown) => encodeThrown(x, depth + 1));
  }
  const kind = joinKindOf(value);
  if (kind !== undefined) e.joinKind = kind;
  return e;
}

/** Error fields carried on their own, not among `props`. */
const SKIPPED: ReadonlySet<string> = new Set(['cause', 'errors', 'stack', 'message', 'name']);

/** The own enumerable fields of `value` that structured clone can carry. */
function cloneableFields(value: object, skip?: ReadonlySet<string>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value)) {
    if (skip?.has(key) === true) continue;
    try {
      const v = (value as Record<string, unknown>)[key];
      if (isCloneable(v)) out[key] = v;
    } catch {
      /* a throwing getter: skip it */
    }
  }
  return out;
}

/** core's JoinError, recognised without importing core (see the module comment). */
function joinKindOf(value: Error): 'cancelled' | 'panic' | undefined {
  const j = value as { isPanic?: unknown };
  if (value.name !== 'JoinError' || typeof j.isPanic !== 'function') return undefined;
  return (j.isPanic as () => boolean).call(value) ? 'panic' : 'cancelled';
}

/** The same error with only name, message and stack: used when its encoding can't be written. */
export function stripThrown(e: EncodedThrown): EncodedThrown {
  if ('$value' in e) return { $value: describe(e.$value) };
  return { $error: e.$error, message: e.message, stack: e.stack, props: {} };
}

/** Rebuild a thrown value on the receiving thread. */
export function decodeThrown(e: EncodedThrown): unknown {
  if ('$value' in e) return e.$value;
  let err: Error;
  if (e.joinKind !== undefined && joinError !== undefined) {
    err = joinError(e.joinKind, Number(e.props.taskId ?? 0), e.cause === undefined ? undefined : decodeThrown(e.cause));
  } else if (e.errors !== undefined) {
    err = new AggregateError(e.errors.map(decodeThrown), e.message);
  } else {
    const C = classes.get(e.$error);
    err = C === undefined ? new Error(e.message) : (Object.create(C.prototype as object) as Error);
    define(err, 'message', e.message);
  }
  if (err.name !== e.$error) define(err, 'name', e.$error);
  if (e.stack !== undefined) define(err, 'stack', e.stack);
  if (e.cause !== undefined && !(e.joinKind !== undefined && joinError !== undefined))
    define(err, 'cause', decodeThrown(e.cause));
  Object.assign(err, e.props);
  return err;
}

function define(err: Error, key: string, value: unknown): void {
  Object.defineProperty(err, key, { value, writable: true, configurable: true, enumerable: false });
}

/** Whether postMessage can carry `value` (cheap for primitives and buffers; clones otherwise). */
export function isCloneable(value: unknown): boolean {
  const t = typeof value;
  if (t === 'function' || t === 'symbol') return false;
  if (value === null || t !== 'object') return true;
  if (value instanceof ArrayBuffer || value instanceof SharedArrayBuffer || ArrayBuffer.isView(value)) return true;
  try {
    structuredClone(value);
    return true;
  } catch {
    return false;
  }
}

/** A short description of a value that can't be sent. */
export function describe(value: unknown): string {
  if (typeof value === 'function') return `function ${value.name || '<anonymous>'}`;
  if (typeof value === 'symbol') return value.toString();
  if (typeof value === 'object' && value !== null) {
    return `an instance of ${(value as { constructor?: { name?: string } }).constructor?.name ?? 'Object'}`;
  }
  try {
    return String(value);
  } catch {
    return typeof value;
  }
}
