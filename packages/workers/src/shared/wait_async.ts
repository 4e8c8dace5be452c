/**
 * A typed `Atomics.waitAsync`.
 *
 * Parked workers and mailbox owners sleep with `Atomics.waitAsync` rather than
 * `Atomics.wait`: the thread returns to its event loop, so its timers and I/O keep running
 * while it waits (DESIGN.md, "Parking"). V8 has shipped it since Node 16, but it is only
 * declared in TypeScript's ES2024 lib and the workspace targets ES2022, so this module
 * declares the one overload we use instead of widening every package's lib.
 *
 * Note: a pending `waitAsync` does not keep a Node thread alive on its own; whoever waits
 * must hold some other ref'd handle (a MessagePort, a timer) if the thread has to stay up.
 */

/** What `Atomics.waitAsync` returns: settled at once, or a promise. */
export type WaitAsyncResult =
  | { async: false; value: 'not-equal' | 'timed-out' }
  | { async: true; value: Promise<'ok' | 'timed-out'> };

interface AtomicsWaitAsync {
  waitAsync(typedArray: Int32Array, index: number, value: number, timeout?: number): WaitAsyncResult;
}

const atomics = Atomics as unknown as Partial<AtomicsWaitAsync>;
if (typeof atomics.waitAsync !== 'function') {
  throw new Error('skein needs Atomics.waitAsync (Node 16 or later)');
}
const waitAsyncImpl = (atomics as AtomicsWaitAsync).waitAsync;

/** `Atomics.waitAsync(i32, index, value, timeout)`; `timeout` in ms, `Infinity` if omitted. */
export function waitAsync(i32: Int32Array, index: number, value: number, timeout?: number): WaitAsyncResult {
  return waitAsyncImpl(i32, index, value, timeout);
}

/** A settled promise, returned on fast paths so they allocate nothing. */
export const RESOLVED: Promise<void> = Promise.resolve();
