/**
 * Carrying a thrown value from a pool thread back to the caller.
 *
 * A blocking job that throws is a panic: the runtime reports the thrown value as the
 * JoinError's `cause`, so it should look like the original. postMessage's structured clone
 * keeps an Error's class only for the built-in ones and drops every own property (`code`,
 * `errno`, `path`, ...), and a thrown value that can't be cloned at all kills the thread.
 * So the pool thread encodes what it caught into plain data ({@link encodeThrown}) and the
 * main thread rebuilds an Error with the same class (built-ins) or name, message, stack,
 * cause, `errors` and cloneable own properties ({@link decodeThrown}).
 */

/** A thrown value, as plain cloneable data. */
export type EncodedThrown =
  | { readonly kind: 'error'; readonly error: EncodedError }
  | { readonly kind: 'value'; readonly value: unknown };

/** An Error, as plain cloneable data. */
export interface EncodedError {
  readonly name: string;
  readonly message: string;
  readonly stack: string | undefined;
  /** Own enumerable properties that survive structured clone (`code`, `errno`, ...). */
  readonly props: Readonly<Record<string, unknown>>;
  readonly cause?: EncodedThrown;
  /** `AggregateError.errors`. */
  readonly errors?: readonly EncodedThrown[];
}

const MAX_DEPTH = 8;

const BUILTIN_ERRORS: Readonly<Record<string, ErrorConstructor>> = {
  Error, TypeError, RangeError, SyntaxError, ReferenceError, EvalError, URIError,
};

/** Pool thread: encode anything that was thrown. Never throws. */
export function encodeThrown(value: unknown, depth = 0): EncodedThrown {
  if (value instanceof Error && depth < MAX_DEPTH) {
    return { kind: 'error', error: encodeError(value, depth) };
  }
  if (isCloneable(value)) return { kind: 'value', value };
  return { kind: 'value', value: `${describeUncloneable(value)} (the thrown value could not be cloned)` };
}

function encodeError(err: Error, depth: number): EncodedError {
  const props: Record<string, unknown> = {};
  for (const key of Object.keys(err)) {
    if (key === 'cause' || key === 'errors' || key === 'stack' || key === 'message') continue;
    let v: unknown;
    try { v = (err as unknown as Record<string, unknown>)[key]; } catch { continue; }
    if (isCloneable(v)) props[key] = v;
  }
  let name = 'Error';
  let message = '';
  let stack: string | undefined;
  try { name = String(err.name); message = String(err.message); stack = typeof err.stack === 'string' ? err.stack : undefined; } catch { /* exotic getters */ }
  const encoded: { -readonly [K in keyof EncodedError]: EncodedError[K] } = { name, message, stack, props };
  if ('cause' in err) encoded.cause = encodeThrown(err.cause, depth + 1);
  if (err instanceof AggregateError && Array.isArray(err.errors)) {
    encoded.errors = err.errors.map((e: unknown) => encodeThrown(e, depth + 1));
  }
  return encoded;
}

/** Main thread: rebuild the thrown value. */
export function decodeThrown(encoded: EncodedThrown): unknown {
  if (encoded.kind === 'value') return encoded.value;
  const e = encoded.error;
  let err: Error;
  if (e.errors !== undefined) {
    err = new AggregateError(e.errors.map(decodeThrown), e.message);
  } else {
    const Ctor = Object.hasOwn(BUILTIN_ERRORS, e.name) ? BUILTIN_ERRORS[e.name]! : Error;
    err = new Ctor(e.message);
  }
  if (err.name !== e.name) {
    Object.defineProperty(err, 'name', { value: e.name, writable: true, configurable: true, enumerable: false });
  }
  if (e.stack !== undefined) {
    Object.defineProperty(err, 'stack', { value: e.stack, writable: true, configurable: true, enumerable: false });
  }
  if (e.cause !== undefined) {
    Object.defineProperty(err, 'cause', { value: decodeThrown(e.cause), writable: true, configurable: true, enumerable: false });
  }
  Object.assign(err, e.props);
  return err;
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

/** A short description of a value postMessage can't carry. */
export function describeUncloneable(value: unknown): string {
  if (typeof value === 'function') return `function ${value.name || '<anonymous>'}`;
  if (typeof value === 'symbol') return value.toString();
  if (typeof value === 'object' && value !== null) {
    return `an instance of ${(value as { constructor?: { name?: string } }).constructor?.name ?? 'Object'}`;
  }
  return typeof value;
}
