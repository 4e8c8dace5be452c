/**
 * Carrying a panic across threads.
 *
 * A task that throws on a worker is a panic; its JoinHandle, on another thread, reports the
 * thrown value as the JoinError's `cause`, which should look like the original. Structured
 * clone keeps an Error's class only for the built-in ones and drops its own properties
 * (`code`, `errno`, ...), so the worker turns what it caught into plain data
 * ({@link encodeThrown}) and the joining thread rebuilds it ({@link decodeThrown}): the same
 * class for built-ins and skein's own errors (`Elapsed`, `Cancelled`, `WorkerCrashedError`
 * are `instanceof` the receiving thread's classes), otherwise an Error with the same name,
 * message, stack, cause and cloneable own properties.
 */
import * as core from '@skein/core';

/** A thrown value as plain data. */
export type EncodedThrown = EncodedError | { readonly $value: unknown };

/** An Error as plain data. */
export interface EncodedError {
  readonly $error: string;
  readonly message: string;
  readonly stack: string | undefined;
  readonly props: Record<string, unknown>;
  readonly cause?: EncodedThrown;
  readonly errors?: EncodedThrown[];
  /** JoinError's kind (it has a private field, so it is rebuilt through its constructor). */
  readonly joinKind?: 'cancelled' | 'panic';
}

type ErrorClass = abstract new (...args: never[]) => Error;

const MAX_DEPTH = 8;
const classes = new Map<string, ErrorClass>();
for (const C of [Error, TypeError, RangeError, SyntaxError, ReferenceError, EvalError, URIError]) classes.set(C.name, C);
for (const [name, value] of Object.entries(core)) {
  if (typeof value === 'function' && value.prototype instanceof Error && name !== 'JoinError') classes.set(name, value as ErrorClass);
}

/** Make an error class (e.g. one of @skein/workers' own) rebuildable by name. */
export function registerErrorClass(C: ErrorClass): void {
  classes.set(C.name, C);
}

/** Encode anything a task threw. Never throws. */
export function encodeThrown(value: unknown, depth = 0): EncodedThrown {
  if (!(value instanceof Error) || depth >= MAX_DEPTH) {
    const t = typeof value;
    if (t === 'function' || t === 'symbol') return { $value: describe(value) };
    return { $value: value };
  }
  let name = 'Error';
  let message = '';
  let stack: string | undefined;
  try {
    name = String(value.name);
    message = String(value.message);
    stack = typeof value.stack === 'string' ? value.stack : undefined;
  } catch { /* exotic getters */ }
  const props: Record<string, unknown> = {};
  for (const key of Object.keys(value)) {
    if (key === 'cause' || key === 'errors' || key === 'stack' || key === 'message' || key === 'name') continue;
    try {
      const v = (value as unknown as Record<string, unknown>)[key];
      if (typeof v !== 'function' && typeof v !== 'symbol') props[key] = v;
    } catch { /* skip */ }
  }
  const e: { -readonly [K in keyof EncodedError]: EncodedError[K] } = { $error: name, message, stack, props };
  if ('cause' in value) e.cause = encodeThrown(value.cause, depth + 1);
  if (value instanceof AggregateError && Array.isArray(value.errors)) {
    e.errors = value.errors.map((x: unknown) => encodeThrown(x, depth + 1));
  }
  if (value instanceof core.JoinError) e.joinKind = value.isPanic() ? 'panic' : 'cancelled';
  return e;
}

/** The same error with only name, message and stack: used when its properties can't be cloned. */
export function stripThrown(e: EncodedThrown): EncodedThrown {
  if ('$value' in e) return { $value: describe(e.$value) };
  return { $error: e.$error, message: e.message, stack: e.stack, props: {} };
}

/** Rebuild a thrown value on the receiving thread. */
export function decodeThrown(e: EncodedThrown): unknown {
  if ('$value' in e) return e.$value;
  let err: Error;
  if (e.joinKind !== undefined) {
    err = new core.JoinError(e.joinKind, Number(e.props.taskId ?? 0), e.cause === undefined ? undefined : decodeThrown(e.cause));
  } else if (e.errors !== undefined) {
    err = new AggregateError(e.errors.map(decodeThrown), e.message);
  } else {
    const C = classes.get(e.$error);
    err = C === undefined ? new Error(e.message) : (Object.create(C.prototype as object) as Error);
    define(err, 'message', e.message);
  }
  if (err.name !== e.$error) define(err, 'name', e.$error);
  if (e.stack !== undefined) define(err, 'stack', e.stack);
  if (e.cause !== undefined && e.joinKind === undefined) define(err, 'cause', decodeThrown(e.cause));
  Object.assign(err, e.props);
  return err;
}

function define(err: Error, key: string, value: unknown): void {
  Object.defineProperty(err, key, { value, writable: true, configurable: true, enumerable: false });
}

/** A short description of a value that can't be sent. */
export function describe(value: unknown): string {
  if (typeof value === 'function') return `function ${value.name || '<anonymous>'}`;
  if (typeof value === 'symbol') return value.toString();
  if (typeof value === 'object' && value !== null) {
    return `an instance of ${(value as { constructor?: { name?: string } }).constructor?.name ?? 'Object'}`;
  }
  try { return String(value); } catch { return typeof value; }
}
