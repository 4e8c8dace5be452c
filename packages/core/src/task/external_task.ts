/**
 * A Joinable whose work runs somewhere else (a blocking-pool thread, another worker) and
 * whose outcome is reported back to this thread. It gives those tasks the same JoinHandle
 * behaviour as local ones: awaiting is a runtime await woken through this thread's
 * scheduler, `abort()` settles the handle as cancelled at once, and a panic nobody awaits
 * is logged rather than lost.
 */
import type { Logger } from 'pino';
import { JoinError } from '../errors/join_error.js';
import type { Joinable } from './joinable.js';
import { CallbackWaiter, type Waiter } from './waiter.js';
import { coop } from './yield_now.js';

type Listener<T> = (ok: boolean, value: T | JoinError) => void;

/** Base class for tasks executed off this thread. Subclasses implement `onAbort`. */
export abstract class ExternalTask<T> implements Joinable<T> {
  readonly id: number;
  readonly name: string;
  #settled = false;
  #ok = false;
  #result: T | JoinError | undefined = undefined;
  #observed = false;
  #listeners: Listener<T>[] = [];
  readonly #logger: Logger;

  constructor(id: number, name: string, logger: Logger) {
    this.id = id;
    this.name = name;
    this.#logger = logger;
  }

  /** Called once when the task is aborted before it settled: stop or discard the work. */
  protected abstract onAbort(): void;

  abort(): void {
    if (this.#settled) return;
    this.settle(false, new JoinError('cancelled', this.id));
    this.onAbort();
  }

  isFinished(): boolean {
    return this.#settled;
  }

  markObserved(): void {
    this.#observed = true;
  }

  join(): Promise<T> {
    this.#observed = true;
    if (this.#settled) {
      const c = coop();
      if (c !== undefined) return c.then(() => this.join());
      return this.#ok ? Promise.resolve(this.#result as T) : Promise.reject(this.#result);
    }
    const w = new CallbackWaiter<T>((x) => {
      const i = this.#listeners.indexOf(listener);
      if (i >= 0) this.#listeners.splice(i, 1);
      void x;
    });
    const listener: Listener<T> = (ok, v) => (ok ? w.wake(v as T) : w.fail(v));
    if (w.pending) this.#listeners.push(listener);
    return w.promise;
  }

  onSettled(listener: Listener<T>): void {
    if (this.#settled) listener(this.#ok, this.#result as T | JoinError);
    else this.#listeners.push(listener);
  }

  /** Report the outcome (a value, or a JoinError). Later reports are ignored. */
  protected settle(ok: boolean, value: T | JoinError): void {
    if (this.#settled) return;
    this.#settled = true;
    this.#ok = ok;
    this.#result = value;
    const ls = this.#listeners;
    this.#listeners = [];
    for (const l of ls) l(ok, value);
    if (!ok && (value as JoinError).isPanic() && !this.#observed) {
      setImmediate(() => {
        if (!this.#observed) {
          this.#logger.error({ taskId: this.id, task: this.name, err: (value as JoinError).cause }, 'task panicked and its JoinHandle was never awaited');
        }
      });
    }
  }

  /** Report a value. */
  protected succeed(value: T): void {
    this.settle(true, value);
  }

  /** Report a thrown value as a panic. */
  protected panic(cause: unknown): void {
    this.settle(false, new JoinError('panic', this.id, cause));
  }
}
