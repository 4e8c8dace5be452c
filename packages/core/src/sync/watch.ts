/**
 * `watch`: a single value that changes over time, many observers (Tokio's `sync::watch`),
 * as a namespace (`watch.channel`, `watch.Sender`, `watch.Receiver`).
 *
 * The channel holds only the latest value and a version number; each receiver remembers
 * the version it has seen. So a slow receiver never lags or queues: it skips straight to
 * the newest value, which is the point of watch (configuration, state, shutdown flags).
 * The initial value counts as seen, so `changed()` waits for the first `send`.
 *
 * As with broadcast, a waiting `changed()` is a wake-up signal that re-checks the version
 * on wake, so cancelling it has nothing to undo.
 */
import { RecvError, SendError } from '../errors/channel_errors.js';
import { assertFunction } from '../errors/invalid_argument.js';
import { currentTask, noteEndClosed, noteEndMade, noteWaiting, resourceTracking } from '../task/resource_tracking.js';
import { coop } from '../task/yield_now.js';
import { EventWaiters } from './event_waiters.js';

const RESOLVED: Promise<void> = Promise.resolve();

class Shared<T> {
  value: T;
  version = 0;
  /** The sender closed. */
  closed = false;
  rxCount = 1;
  readonly waiters = new EventWaiters();
  /** Senders in `closed()`, woken when the last receiver goes. */
  readonly txClosedWaiters = new EventWaiters();

  constructor(value: T) {
    this.value = value;
  }

  changedNow(): void {
    this.version++;
    this.waiters.wakeAll();
  }

  dropRx(): void {
    if (--this.rxCount === 0) this.txClosedWaiters.wakeAll();
  }
}

/** Set by WatchSender's static block, the one place that may call its private constructor. */
let constructSender: <T>(shared: Shared<T>) => WatchSender<T>;

/** Publishes new values to every {@link WatchReceiver}. */
export class WatchSender<T> implements Disposable {
  readonly #shared: Shared<T>;
  #open = true;

  /** Made by `watch.channel`. */
  private constructor(shared: Shared<T>) {
    this.#shared = shared;
    if (resourceTracking.active !== 0) noteEndMade(this, shared, 'watch', true);
  }

  static {
    constructSender = (shared) => new WatchSender(shared);
  }

  /**
   * Publish `value` and wake every `changed()`.
   * Errors: SendError (with `.value`) when there are no receivers; the value is then *not*
   * stored (Tokio). Use `sendReplace` / `sendModify` to store regardless.
   */
  send(value: T): void {
    const s = this.#shared;
    if (!this.#open || s.rxCount === 0) throw new SendError(value);
    s.value = value;
    s.changedNow();
  }

  /**
   * Change the value in place: `fn` gets the current value and may mutate it or return a
   * replacement (a returned `undefined` keeps the mutated value). Always stores and
   * notifies, receivers or not.
   */
  // biome-ignore lint/suspicious/noConfusingVoidType: a modifier may mutate in place and return nothing, as Tokio's send_modify
  sendModify(fn: (value: T) => T | void): void {
    assertFunction(fn, 'fn');
    const s = this.#shared;
    const r = fn(s.value);
    if (r !== undefined) s.value = r as T;
    s.changedNow();
  }

  /**
   * Like `sendModify`, but notifies only when `fn` returns true (Tokio's
   * `send_if_modified`). Returns what `fn` returned.
   */
  sendIfModified(fn: (value: T) => boolean): boolean {
    assertFunction(fn, 'fn');
    const s = this.#shared;
    const modified = fn(s.value);
    if (modified) s.changedNow();
    return modified;
  }

  /** Store `value` (receivers or not), notify, and return the previous value. */
  sendReplace(value: T): T {
    const s = this.#shared;
    const old = s.value;
    s.value = value;
    s.changedNow();
    return old;
  }

  /** The current value. */
  borrow(): T {
    return this.#shared.value;
  }

  /** A new receiver; the current value counts as seen by it. */
  subscribe(): WatchReceiver<T> {
    const s = this.#shared;
    s.rxCount++;
    return constructReceiver(s, s.version);
  }

  /** Live receivers. */
  receiverCount(): number {
    return this.#shared.rxCount;
  }

  /** Whether every receiver has closed. */
  isClosed(): boolean {
    return this.#shared.rxCount === 0;
  }

  /**
   * Resolves once every receiver has closed. A `subscribe()` between the last receiver
   * closing and the waiting task resuming keeps it waiting (the count is checked again on
   * every wake-up, as Tokio does).
   * Cancel safety: cancel-safe. Errors: `Cancelled` when the task is cancelled.
   */
  closed(): Promise<void> {
    const s = this.#shared;
    if (s.rxCount !== 0) return s.txClosedWaiters.wait().then(() => this.closed());
    const c = coop();
    return c === undefined ? RESOLVED : c.then(() => this.closed());
  }

  /**
   * Drop the sender (idempotent): receivers keep the last value; their `changed()` rejects
   * with RecvError (closed) once they have seen it.
   */
  close(): void {
    if (!this.#open) return;
    this.#open = false;
    const s = this.#shared;
    noteEndClosed(this, s);
    s.closed = true;
    s.waiters.wakeAll();
  }

  /** `close()`. */
  [Symbol.dispose](): void {
    this.close();
  }
}

/** Set by WatchReceiver's static block, the one place that may call its private constructor. */
let constructReceiver: <T>(shared: Shared<T>, seen: number) => WatchReceiver<T>;

/** Observes a watch channel's value. */
export class WatchReceiver<T> implements Disposable {
  readonly #shared: Shared<T>;
  #seen: number;
  #open = true;

  /** Made by `watch.channel`, `subscribe()` and `clone()`. */
  private constructor(shared: Shared<T>, seen: number) {
    this.#shared = shared;
    this.#seen = seen;
  }

  static {
    constructReceiver = (shared, seen) => new WatchReceiver(shared, seen);
  }

  /**
   * Wait until a value this receiver hasn't seen is published, and mark it seen.
   * Resolves at once if one already is.
   * Cancel safety: cancel-safe.
   * Errors: RecvError (closed) when the sender has closed and the latest value was seen
   * (or this receiver was closed); `Cancelled` when the task is cancelled.
   */
  changed(): Promise<void> {
    const s = this.#shared;
    const ready = this.#seen !== s.version && this.#open;
    if (!ready && !s.closed && this.#open) {
      const woken = s.waiters.wait();
      if (resourceTracking.active !== 0) noteWaiting(s, 'watch', currentTask());
      return woken.then(() => this.changed());
    }
    // Ready either way (a new value, or closed): a loop on it must still yield (Tokio's
    // `changed` charges the budget before looking).
    const c = coop();
    if (c !== undefined) return c.then(() => this.changed());
    if (!ready) return Promise.reject(new RecvError('closed'));
    this.#seen = s.version;
    return RESOLVED;
  }

  /** The latest value, without marking it seen. */
  borrow(): T {
    return this.#shared.value;
  }

  /** The latest value, marking it seen. */
  borrowAndUpdate(): T {
    const s = this.#shared;
    this.#seen = s.version;
    return s.value;
  }

  /**
   * Whether a value this receiver hasn't seen is there.
   * Errors: RecvError (closed) once the sender has closed, even if a value is still unseen
   * (Tokio's `has_changed` fails if and only if the channel is closed; `changed()` still
   * delivers that last unseen value).
   */
  hasChanged(): boolean {
    const s = this.#shared;
    if (s.closed || !this.#open) throw new RecvError('closed');
    return this.#seen !== s.version;
  }

  /** Make the current value count as unseen (Tokio's `mark_changed`). */
  markChanged(): void {
    this.#seen = -1;
  }

  /** Make the current value count as seen (Tokio's `mark_unchanged`). */
  markUnchanged(): void {
    this.#seen = this.#shared.version;
  }

  /**
   * Resolve with the first value (the current one included) for which `pred` is true,
   * marking it seen (Tokio's `wait_for`).
   * Cancel safety: cancel-safe.
   * Errors: RecvError (closed) when the sender closes before a value matches; whatever
   * `pred` throws; `Cancelled` when the task is cancelled.
   */
  async waitFor(pred: (value: T) => boolean): Promise<T> {
    assertFunction(pred, 'pred');
    // A value that already matches is a ready await: it charges the budget like any other.
    const c = coop();
    if (c !== undefined) await c;
    for (;;) {
      const v = this.borrowAndUpdate();
      if (pred(v)) return v;
      await this.changed();
    }
  }

  /** Whether the sender has closed. */
  isClosed(): boolean {
    return this.#shared.closed;
  }

  /** Another receiver with the same seen version. */
  clone(): WatchReceiver<T> {
    const s = this.#shared;
    s.rxCount++;
    return new WatchReceiver(s, this.#seen);
  }

  /** Whether `other` observes the same channel. */
  sameChannel(other: WatchReceiver<T>): boolean {
    return this.#shared === other.#shared;
  }

  /** Stop observing (Rust's drop). Idempotent. */
  close(): void {
    if (!this.#open) return;
    this.#open = false;
    this.#shared.dropRx();
  }

  /** `close()`. */
  [Symbol.dispose](): void {
    this.close();
  }
}

/** A watch channel starting at `initial` (which counts as seen): `[sender, receiver]`. */
export function channel<T>(initial: T): [WatchSender<T>, WatchReceiver<T>] {
  const shared = new Shared<T>(initial);
  return [constructSender(shared), constructReceiver(shared, 0)];
}

export { WatchSender as Sender, WatchReceiver as Receiver };
