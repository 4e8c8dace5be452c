/**
 * Calling a `then` callback with an outcome that is already known: asynchronously and in
 * the caller's async context, as a promise would, for one promise and no closure.
 *
 * This is how `then` on a finished JoinHandle calls back: explicit `then`/`catch` calls,
 * `Promise.all`, and an `await` that couldn't take the native path (see join_handle.ts).
 * `Promise.resolve(v).then(f, r)` would cost two promises (each one runs the promise hooks
 * that carry the task context on Node 22), and a closure per call would be garbage of its own. Instead:
 * a reaction registered on an already settled promise is queued as a microtask at once, and
 * microtasks run in order, so reactions registered on one resolved promise run in the order
 * they were registered. Each call records its callback and value in a FIFO and registers
 * the same shared reaction, which takes the oldest record. The reaction runs in the async
 * context of its registration, i.e. the caller's.
 */

const RESOLVED = Promise.resolve();
const promiseThen = Promise.prototype.then;

/**
 * Pending records in a ring buffer, three slots each: callback (or undefined), value, ok.
 * A ring rather than push/shift so the steady state (one record at a time) allocates nothing.
 */
let ring: unknown[] = new Array<unknown>(3 * 64).fill(undefined);
let mask = 63;
let head = 0;
let count = 0;

/**
 * A promise for `onFulfilled(value)` (when `ok`) or `onRejected(value)`, settled the way
 * `Promise.prototype.then` would settle it, with the callback called in a later microtask.
 */
export function deliver<R>(
  ok: boolean,
  value: unknown,
  onFulfilled: ((value: never) => unknown) | null | undefined,
  onRejected: ((reason: never) => unknown) | null | undefined,
): Promise<R> {
  if (count > mask) grow();
  const j = ((head + count) & mask) * 3;
  ring[j] = ok ? onFulfilled : onRejected;
  ring[j + 1] = value;
  ring[j + 2] = ok;
  count++;
  return promiseThen.call(RESOLVED, runOldest) as Promise<R>;
}

function runOldest(): unknown {
  const j = head * 3;
  const callback = ring[j];
  const value = ring[j + 1];
  const ok = ring[j + 2];
  ring[j] = ring[j + 1] = undefined;
  head = (head + 1) & mask;
  if (--count === 0 && mask > 1023) shrink();
  if (typeof callback === 'function') return (callback as (v: unknown) => unknown)(value);
  if (ok === true) return value;
  throw value;
}

/** After a burst (a `Promise.all` over many finished handles), give the memory back. */
function shrink(): void {
  ring = new Array<unknown>(3 * 64).fill(undefined);
  mask = 63;
  head = 0;
}

/** Double the ring, unrolling it so the oldest record comes first. */
function grow(): void {
  const size = mask + 1;
  const next = new Array<unknown>(6 * size).fill(undefined);
  for (let k = 0; k < count; k++) {
    const from = ((head + k) & mask) * 3;
    next[k * 3] = ring[from];
    next[k * 3 + 1] = ring[from + 1];
    next[k * 3 + 2] = ring[from + 2];
  }
  ring = next;
  mask = 2 * size - 1;
  head = 0;
}
