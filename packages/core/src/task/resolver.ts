/**
 * A promise's resolve function, taken without a closure per promise.
 *
 * The Promise executor runs synchronously inside `new Promise`, so one shared executor can
 * hand `resolve` over through a module slot; a per-promise arrow would allocate a closure
 * (and its context) for every waiter and every JoinHandle. The reject function is not
 * kept: skein's promises are fulfilled far more often than rejected, and one holding only
 * `resolve` is 56 bytes smaller.
 *
 * Use: `super(keepResolve); this.#resolve = takeResolve();`
 */
let taken: ((value: never) => void) | undefined;

/** The executor to pass to `super(...)`: keeps `resolve` for {@link takeResolve}. */
export function keepResolve(resolve: (value: never) => void): void {
  taken = resolve;
}

/** The resolve function the last {@link keepResolve} received. */
export function takeResolve<T>(): (value: T) => void {
  const resolve = taken as (value: T) => void;
  taken = undefined;
  return resolve;
}
