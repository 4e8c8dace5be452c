/**
 * `join` and `tryJoin`: Tokio's `join!` and `try_join!` for promises and thunks.
 *
 * Each thunk runs in its own child cancel scope and receives that scope's AbortSignal.
 * `join` lets every branch run to completion and then rejects with the first error it
 * observed if any failed. `tryJoin` stops at the first error: it cancels the thunks still
 * running (signals abort, runtime awaits reject with `Cancelled`) and rejects once those
 * parked on runtime awaits have unwound, as Tokio drops them before `try_join!` returns
 * (see `cancelBranches`).
 *
 * Polling follows Tokio's macros. The first poll starts the thunks in declaration order; a
 * thunk that throws synchronously is an error seen on that poll, so `tryJoin` starts none
 * after it. Later polls happen when branches settle: the branches that settled since the
 * last poll are observed together, starting from a branch that rotates by one on every
 * poll (the first poll starts at branch 0, the next at branch 1…), so when several fail at
 * once no branch's error always wins. `join.biased` and `tryJoin.biased` always observe in
 * declaration order (Tokio's `biased;`). Completing charges the task's cooperative budget.
 */
import { typeError } from '../errors/invalid_argument.js';
import { afterUnwound, cancelBranches, type Thunk } from '../task/scoped.js';
import { completeAfterCoop } from '../task/yield_now.js';
import { firstPoll, type Polled } from './first_poll.js';

/** A branch: a promise, or a thunk that receives its AbortSignal. */
export type Branch<T> = PromiseLike<T> | Thunk<T>;
type Results<F extends readonly unknown[]> = {
  -readonly [K in keyof F]: F[K] extends Branch<infer T> ? Awaited<T> : never;
};

/** The combinator signature, and its `biased` form. */
export interface JoinFn {
  <F extends readonly Branch<unknown>[]>(...fs: F): Promise<Results<F>>;
  /** The same, observing settled branches in declaration order on every poll (Tokio's `biased;`). */
  biased<F extends readonly Branch<unknown>[]>(...fs: F): Promise<Results<F>>;
}

function check(fs: readonly unknown[]): void {
  for (let i = 0; i < fs.length; i++) {
    const f = fs[i];
    if (
      typeof f !== 'function' &&
      (f === null || typeof f !== 'object' || typeof (f as PromiseLike<unknown>).then !== 'function')
    ) {
      throw typeError(`join branch ${i} must be a promise or a function returning one`);
    }
  }
}

const RESOLVED: Promise<void> = Promise.resolve();
const PENDING = 0;
/** Settled, not yet observed by a poll. */
const SETTLED = 1;
const OBSERVED = 2;

/** One `join` / `tryJoin` in progress: its branches and the poll that observes them. */
class Joiner {
  readonly #fs: readonly Branch<unknown>[];
  readonly #biased: boolean;
  readonly #failFast: boolean;
  readonly #resolve: (values: unknown[]) => void;
  readonly #reject: (err: unknown) => void;
  readonly #branches: Polled<unknown>[] = [];
  readonly #state: number[];
  readonly #ok: boolean[];
  readonly #values: unknown[];
  #left: number;
  #polls = 0;
  #pollQueued = false;
  #done = false;
  #firstError: { err: unknown } | undefined = undefined;

  constructor(
    fs: readonly Branch<unknown>[],
    biased: boolean,
    failFast: boolean,
    resolve: (values: unknown[]) => void,
    reject: (err: unknown) => void,
  ) {
    this.#fs = fs;
    this.#biased = biased;
    this.#failFast = failFast;
    this.#resolve = resolve;
    this.#reject = reject;
    this.#left = fs.length;
    this.#state = new Array<number>(fs.length).fill(PENDING);
    this.#ok = new Array<boolean>(fs.length).fill(true);
    this.#values = new Array<unknown>(fs.length);
  }

  /** The first poll: start every branch in declaration order, observing the ready ones. */
  start(): void {
    const fs = this.#fs;
    this.#polls = 1;
    for (let i = 0; i < fs.length; i++) {
      const b = firstPoll(fs[i]!);
      this.#branches.push(b);
      if (b.ready) {
        this.#settle(i, b.ok, b.value);
        if (this.#observe(i)) return;
        continue;
      }
      b.promise.then(
        (v) => this.#wake(i, true, v),
        (err: unknown) => this.#wake(i, false, err),
      );
    }
    this.#finishIfAllIn();
  }

  #settle(i: number, ok: boolean, value: unknown): void {
    this.#state[i] = SETTLED;
    this.#ok[i] = ok;
    this.#values[i] = value;
  }

  #wake(i: number, ok: boolean, value: unknown): void {
    if (this.#done) return;
    this.#settle(i, ok, value);
    if (this.#pollQueued) return;
    this.#pollQueued = true;
    // Branches settling in the same microtask wave are observed by one poll, as Tokio
    // observes every wake-up since its last poll. A promise reaction rather than
    // `queueMicrotask`: it carries the task's frame where skein's promise hooks do (Node
    // 20/22), so completing charges that task's budget.
    void RESOLVED.then(this.#poll);
  }

  readonly #poll = (): void => {
    this.#pollQueued = false;
    if (this.#done) return;
    const n = this.#state.length;
    const from = this.#biased ? 0 : this.#polls % n;
    this.#polls++;
    for (let k = 0; k < n; k++) {
      const i = (from + k) % n;
      if (this.#state[i] === SETTLED && this.#observe(i)) return;
    }
    this.#finishIfAllIn();
  };

  /** Observe settled branch `i`. True when that finished the combinator (tryJoin's error). */
  #observe(i: number): boolean {
    this.#state[i] = OBSERVED;
    this.#left--;
    if (this.#ok[i]) return false;
    const err = this.#values[i];
    if (!this.#failFast) {
      this.#firstError ??= { err };
      return false;
    }
    this.#done = true;
    const failed = this.#branches[i]!;
    failed.scope?.detach();
    // The branches after a synchronous failure on the first poll were never started.
    const others = this.#branches.filter((b) => b !== failed);
    afterUnwound(cancelBranches(others), () => completeAfterCoop(() => this.#reject(err), this.#reject));
    return true;
  }

  #finishIfAllIn(): void {
    if (this.#left !== 0 || this.#done) return;
    this.#done = true;
    for (const b of this.#branches) b.scope?.detach();
    const firstError = this.#firstError;
    if (firstError !== undefined) completeAfterCoop(() => this.#reject(firstError.err), this.#reject);
    else completeAfterCoop(() => this.#resolve(this.#values), this.#reject);
  }
}

function combine(fs: readonly Branch<unknown>[], biased: boolean, failFast: boolean): Promise<unknown[]> {
  return new Promise<unknown[]>((resolve, reject) => new Joiner(fs, biased, failFast, resolve, reject).start());
}

// join has always rejected for a bad branch and tryJoin thrown at the call: both kept.
function joinWith(biased: boolean) {
  return function join<F extends readonly Branch<unknown>[]>(...fs: F): Promise<Results<F>> {
    try {
      check(fs);
    } catch (err) {
      return Promise.reject(err);
    }
    return combine(fs, biased, false) as Promise<Results<F>>;
  };
}

function tryJoinWith(biased: boolean) {
  return function tryJoin<F extends readonly Branch<unknown>[]>(...fs: F): Promise<Results<F>> {
    check(fs);
    return combine(fs, biased, true) as Promise<Results<F>>;
  };
}

/**
 * Run every branch to completion; resolve with all values (in argument order), or reject
 * with the first error observed. `join.biased(...)` observes in declaration order.
 * Errors: TypeError (a rejection) for a branch that is neither a promise nor a function;
 * the first branch error; `Cancelled` when the task is cancelled.
 */
export const join: JoinFn = Object.assign(joinWith(false), { biased: joinWith(true) });

/**
 * Run the branches concurrently; the first error cancels the others and rejects.
 * `tryJoin.biased(...)` observes in declaration order.
 * Errors: TypeError (thrown at the call) for a bad branch; the first branch error observed;
 * `Cancelled` when the task is cancelled.
 */
export const tryJoin: JoinFn = Object.assign(tryJoinWith(false), { biased: tryJoinWith(true) });
