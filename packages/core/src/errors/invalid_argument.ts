/**
 * Invalid-argument errors, the Node way: a standard `RangeError` / `TypeError` carrying a
 * `code`, so callers that already handle Node's own argument errors handle ours too.
 */

/** A `RangeError` with a Node-style `code`. */
export interface CodedRangeError extends RangeError {
  code: string;
}
/** A `TypeError` with a Node-style `code`. */
export interface CodedTypeError extends TypeError {
  code: string;
}

/** Build a RangeError with `code` (default `ERR_OUT_OF_RANGE`). */
export function rangeError(message: string, code = 'ERR_OUT_OF_RANGE'): CodedRangeError {
  const err = new RangeError(message) as CodedRangeError;
  err.code = code;
  return err;
}

/** Build a TypeError with `code` (default `ERR_INVALID_ARG_TYPE`). */
export function typeError(message: string, code = 'ERR_INVALID_ARG_TYPE'): CodedTypeError {
  const err = new TypeError(message) as CodedTypeError;
  err.code = code;
  return err;
}

/** Throw unless `value` is a function. */
export function assertFunction(value: unknown, name: string): asserts value is (...args: never[]) => unknown {
  if (typeof value !== 'function') {
    throw typeError(`The "${name}" argument must be a function. Received ${describe(value)}`);
  }
}

/**
 * Throw unless `value` is a finite number >= min (durations, capacities). A non-number is
 * a TypeError; NaN is a number out of range, a RangeError, as in Node's own validators.
 */
export function assertNumber(value: unknown, name: string, min = 0, integer = false): asserts value is number {
  if (typeof value !== 'number') {
    throw typeError(`The "${name}" argument must be a number. Received ${describe(value)}`);
  }
  if (Number.isNaN(value) || value < min || (integer && !Number.isInteger(value)) || value === Infinity) {
    throw rangeError(
      `The value of "${name}" is out of range. It must be ${integer ? 'an integer ' : ''}>= ${min} and finite. Received ${value}`,
    );
  }
}

/** Throw unless `value` is an instant (an `Instant.now()` value; a past one is fine). */
export function assertInstant(value: unknown, name = 'deadline'): asserts value is number {
  if (typeof value !== 'number') {
    throw typeError(`The "${name}" argument must be a number (an Instant). Received ${describe(value)}`);
  }
  if (Number.isNaN(value))
    throw rangeError(`The value of "${name}" is out of range. It must be an Instant. Received NaN`);
}

/** Throw unless `value` is a finite duration in milliseconds (>= 0). */
export function assertDuration(value: unknown, name = 'ms'): asserts value is number {
  assertNumber(value, name, 0);
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'function') return `function ${value.name || '<anonymous>'}`;
  if (typeof value === 'object') return `an instance of ${value.constructor?.name ?? 'Object'}`;
  return `type ${typeof value} (${String(value).slice(0, 40)})`;
}
