/**
 * A Joinable whose work runs somewhere else (a blocking-pool thread, another worker) and
 * whose outcome is reported back to this thread. It gives those tasks the same JoinHandle
 * behaviour as local ones (outcome.ts): awaiting is a runtime await woken through this
 * thread's scheduler, `abort()` settles the handle as cancelled at once, and a panic nobody
 * awaits is logged rather than lost.
 */
import type { Logger } from 'pino';
import type { JoinError } from '../errors/join_error.js';
import { cancelledJoinError } from './cancelled_error.js';
import { NOT_READY, type Joinable } from './joinable.js';
import { announceOutcome, joinSettled, logIfNeverAwaited, type OutcomeListener } from './outcome.js';
import { JoinWaiter, type Joined, type Waiter } from './waiter.js';
import { tryCoop } from './yield_now.js';

const PENDING = 0;
const OK = 1;
const FAILED = 2;

/** Base class for tasks executed off this thread. Subclasses implement `onAbort`. */
export abstract class ExternalTask<T> implements Joinable<T>, Joined<T> {
  readonly id: number;
  readonly name: string;
  #outcome = PENDING;
  #result: T | JoinError | undefined = undefined;
  #observed = false;
  /** The task awaiting this one, if any (one is the usual case; more go through listeners). */
  #joiner: Waiter<T> | undefined = undefined;
  #listeners: OutcomeListener<T>[] | undefined = undefined;
  #waitedFor = false;
  readonly #logger: Logger;

  constructor(id: number, name: string, logger: Logger) {
    this.id = id;
    this.name = name;
    this.#logger = logger;
  }

  /** Called once when the task is aborted before it settled: stop or discard the work. */
  protected abstract onAbort(): void;

  /**
   * Someone now waits for the outcome (`1`, once, while it is pending), or no longer needs
   * to because it settled (`-1`). A remote task keeps its thread alive meanwhile.
   */
  protected onWaiting(_delta: 1 | -1): void {}

  /** Abort; the handle rejects with a cancelled JoinError at once. No effect once finished. */
  abort(): void {
    if (this.#outcome !== PENDING) return;
    this.settle(false, cancelledJoinError(this.id));
    this.onAbort();
  }

  isFinished(): boolean {
    return this.#outcome !== PENDING;
  }

  markObserved(): void {
    this.#observed = true;
  }

  isObserved(): boolean {
    return this.#observed;
  }

  join(): Promise<T> {
    this.#observed = true;
    if (this.#outcome !== PENDING)
      return joinSettled(this.#outcome === OK, this.#result as T | JoinError, () => this.join());
    const w = new JoinWaiter<T>(this);
    if (!w.pending) return w.promise;
    this.#waiting();
    if (this.#joiner === undefined) this.#joiner = w;
    else this.onSettled((ok, v) => (ok ? w.wake(v as T) : w.fail(v)));
    return w.promise;
  }

  joinNow(): T | typeof NOT_READY {
    if (this.#outcome !== OK) return NOT_READY;
    this.#observed = true;
    return tryCoop() ? (this.#result as T) : NOT_READY;
  }

  /** A joiner was cancelled: it no longer waits. */
  dropJoiner(w: Waiter<T>): void {
    if (this.#joiner === w) this.#joiner = undefined;
  }

  onSettled(listener: OutcomeListener<T>): void {
    if (this.#outcome !== PENDING) {
      listener(this.#outcome === OK, this.#result as T | JoinError);
    } else {
      (this.#listeners ??= []).push(listener);
      this.#waiting();
    }
  }

  #waiting(): void {
    if (this.#waitedFor) return;
    this.#waitedFor = true;
    this.onWaiting(1);
  }

  /** Report the outcome (a value, or a JoinError). Later reports are ignored. */
  settle(ok: boolean, value: T | JoinError): void {
    if (this.#outcome !== PENDING) return;
    this.#outcome = ok ? OK : FAILED;
    this.#result = value;
    if (this.#waitedFor) this.onWaiting(-1);
    const j = this.#joiner;
    const ls = this.#listeners;
    this.#joiner = undefined;
    this.#listeners = undefined;
    announceOutcome(j, ls, ok, value);
    if (!ok) logIfNeverAwaited(this, this.name, value as JoinError, this.#logger);
  }
}
