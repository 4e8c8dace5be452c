/**
 * `select`: Tokio's `select!` over named branches.
 *
 * Every branch is a thunk run in its own child cancel scope. Branches are started one at a
 * time, in a random rotation unless `biased` (declaration order), which (as in Tokio) gives
 * fairness when several are ready together. A thunk that is ready at once (it returns a
 * plain value or throws) wins on the spot and the branches after it are never started, as
 * Tokio stops polling at the first ready branch. A thunk that returns a promise can't be
 * seen to be ready synchronously, so the next branch starts; once all have, the first to
 * settle wins (a rejection wins too, and `select` rethrows it). The losers' scopes are
 * cancelled at once, so their signals abort and their pending runtime awaits reject with
 * `Cancelled`. As in Tokio, where the losers are dropped before `select!` returns, `select`
 * settles after the losers parked on runtime awaits have run their `finally` blocks (see
 * `cancelBranches`). Settling charges the task's cooperative budget, so a loop over ready
 * branches still yields to timers and I/O.
 */
import { typeError } from '../errors/invalid_argument.js';
import { afterUnwound, cancelBranches, type Thunk } from '../task/scoped.js';
import { completeAfterCoop } from '../task/yield_now.js';
import { firstPoll, type Polled } from './first_poll.js';

/** The winning branch: its key and value. */
export type Selected<B extends Record<string, Thunk<unknown>>> = {
  [K in keyof B]: { key: K; value: Awaited<ReturnType<B[K]>> };
}[keyof B];

/** Options of {@link select}. */
export interface SelectOptions {
  /** Start branches in declaration order instead of a random rotation. */
  readonly biased?: boolean;
}

/**
 * Wait for the first branch to settle and cancel the rest.
 *
 * Promise branches: a thunk returning a promise (every `async` thunk) is started even when
 * an earlier one's promise is already settled, because JavaScript can't inspect a promise
 * synchronously; all such branches run until the first settles. For Tokio's "the first
 * ready branch wins and the rest never run", have a thunk return its value synchronously
 * when it already has one and a promise only otherwise, e.g.
 * `() => (rx.isEmpty() ? rx.recv() : rx.tryRecv())`; with `{ biased: true }` the branches
 * are tried in declaration order.
 *
 * Errors: TypeError for bad arguments; whatever the winning branch rejects with;
 * `Cancelled` when the task is cancelled.
 */
export function select<B extends Record<string, Thunk<unknown>>>(
  branches: B,
  opts?: SelectOptions,
): Promise<Selected<B>> {
  if (branches === null || typeof branches !== 'object')
    throw typeError('select() takes an object of branch functions');
  const keys = Object.keys(branches);
  if (keys.length === 0) throw typeError('select() needs at least one branch', 'ERR_INVALID_ARG_VALUE');
  for (const k of keys) {
    if (typeof branches[k] !== 'function')
      throw typeError(`select() branch "${k}" must be a function (signal) => Promise`);
  }
  const start = opts?.biased === true ? 0 : Math.floor(Math.random() * keys.length);
  return new Promise((resolve, reject) => {
    let done = false;
    const started: Polled<unknown>[] = [];
    const finish = (winner: Polled<unknown>, key: string, ok: boolean, value: unknown): void => {
      done = true;
      winner.scope!.detach();
      const settle = ok ? () => resolve({ key, value } as Selected<B>) : () => reject(value);
      afterUnwound(cancelBranches(started.filter((b) => b !== winner)), () => completeAfterCoop(settle, reject));
    };
    for (let n = 0; n < keys.length; n++) {
      const key = keys[(start + n) % keys.length]!;
      const b = firstPoll(branches[key]!);
      started.push(b);
      if (b.ready) {
        finish(b, key, b.ok, b.value);
        return;
      }
      b.promise.then(
        (value) => {
          if (!done) finish(b, key, true, value);
        },
        (err: unknown) => {
          if (!done) finish(b, key, false, err);
        },
      );
    }
  });
}
