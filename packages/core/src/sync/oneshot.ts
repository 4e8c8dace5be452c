/**
 * `oneshot`: a channel for a single value (Tokio's `sync::oneshot`), as a namespace
 * (`oneshot.channel`, `oneshot.Sender`, `oneshot.Receiver`).
 *
 * The receiver is `PromiseLike<T>`, the way Tokio's receiver is a `Future`: `await rx`
 * yields the value, or rejects with `RecvError` (closed) when the sender was closed (Rust:
 * dropped) without sending. JavaScript can't move a value out, so awaiting a receiver
 * again (or `tryRecv` after it) yields the same value instead of Tokio's "already
 * received" error; everything else follows Tokio.
 */
import { RecvError, SendError, TryRecvError } from '../errors/channel_errors.js';
import { AlreadyReleasedError } from '../errors/sync_errors.js';
import type { Waiter } from '../task/waiter.js';
import { noteEndClosed, noteEndMade, noteWaiting, resourceTracking } from '../task/resource_tracking.js';
import { coop } from '../task/yield_now.js';
import { QueuedWaiter, WaitList } from './wait_list.js';

class Inner<T> {
  sent = false;
  value: T | undefined = undefined;
  /** The sender was closed before sending. */
  txClosed = false;
  rxClosed = false;
  readonly rxWaiters = new WaitList<QueuedWaiter<T>>();
  /** Tasks in `OneshotSender.closed()`. */
  readonly txWaiters = new WaitList<QueuedWaiter<void>>();

  readonly onRxCancel = (w: Waiter<T>, woken: boolean): void => {
    if (!woken) this.rxWaiters.remove(w as QueuedWaiter<T>);
  };

  readonly onTxCancel = (w: Waiter<void>, woken: boolean): void => {
    if (!woken) this.txWaiters.remove(w as QueuedWaiter<void>);
  };

  failReceivers(): void {
    for (const w of this.rxWaiters.takeAll()) w.fail(new RecvError('closed'));
  }
}

/** Set by OneshotSender's static block, the one place that may call its private constructor. */
let constructSender: <T>(inner: Inner<T>) => OneshotSender<T>;

/** Sends the channel's one value. */
export class OneshotSender<T> implements Disposable {
  #inner: Inner<T> | null;

  /** Made by `oneshot.channel`. */
  private constructor(inner: Inner<T>) {
    this.#inner = inner;
    if (resourceTracking.active !== 0) noteEndMade(this, inner, 'oneshot', true);
  }

  static {
    constructSender = (inner) => new OneshotSender(inner);
  }

  /**
   * Send the value (never waits). The sender is used up either way.
   * Errors: SendError (with `.value`) when the receiver has closed; AlreadyReleasedError
   * when this sender was already used or closed.
   */
  send(value: T): void {
    const s = this.#inner;
    if (s === null) throw new AlreadyReleasedError('oneshot sender');
    this.#inner = null;
    noteEndClosed(this, s);
    if (s.rxClosed) throw new SendError(value);
    s.sent = true;
    s.value = value;
    for (const w of s.rxWaiters.takeAll()) w.wake(value);
  }

  /** Whether the receiver has closed (a send would fail). */
  isClosed(): boolean {
    const s = this.#inner;
    return s === null || s.rxClosed;
  }

  /**
   * Resolves when the receiver closes: stop computing a value nobody wants.
   * Cancel safety: cancel-safe. Errors: `Cancelled` when the task is cancelled.
   */
  closed(): Promise<void> {
    const s = this.#inner;
    if (s === null || s.rxClosed) {
      // A ready await charges the budget (see `coop`).
      const c = coop();
      return c === undefined ? Promise.resolve() : c.then(() => this.closed());
    }
    const w = new QueuedWaiter<void>(s.onTxCancel);
    if (w.pending) s.txWaiters.pushBack(w);
    return w.promise;
  }

  /** Drop the sender without sending: the receiver rejects with RecvError (closed). Idempotent. */
  close(): void {
    const s = this.#inner;
    if (s === null) return;
    this.#inner = null;
    noteEndClosed(this, s);
    s.txClosed = true;
    s.failReceivers();
  }

  /** `close()`. */
  [Symbol.dispose](): void {
    this.close();
  }
}

/** Set by OneshotReceiver's static block, the one place that may call its private constructor. */
let constructReceiver: <T>(inner: Inner<T>) => OneshotReceiver<T>;

/** Receives the channel's one value; `await` it. */
export class OneshotReceiver<T> implements PromiseLike<T>, Disposable {
  readonly #inner: Inner<T>;

  /** Made by `oneshot.channel`. */
  private constructor(inner: Inner<T>) {
    this.#inner = inner;
  }

  static {
    constructReceiver = (inner) => new OneshotReceiver(inner);
  }

  /**
   * Await the value.
   * Cancel safety: cancel-safe; the value stays in the channel for the next await.
   * Errors: RecvError (closed) when the sender closed without sending, or this receiver
   * was closed with nothing sent; `Cancelled` when the task is cancelled.
   */
  then<R1 = T, R2 = never>(
    onfulfilled?: ((value: T) => R1 | PromiseLike<R1>) | null,
    onrejected?: ((reason: unknown) => R2 | PromiseLike<R2>) | null,
  ): Promise<R1 | R2> {
    return this.#recv().then(onfulfilled, onrejected);
  }

  #recv(): Promise<T> {
    const s = this.#inner;
    if (s.sent || s.txClosed || s.rxClosed) {
      // Ready with the value or the error: charged either way (see `coop`).
      const c = coop();
      if (c !== undefined) return c.then(() => this.#recv());
      if (s.sent) return Promise.resolve(s.value as T);
      return Promise.reject(new RecvError('closed'));
    }
    const w = new QueuedWaiter<T>(s.onRxCancel);
    if (w.pending) {
      s.rxWaiters.pushBack(w);
      if (resourceTracking.active !== 0) noteWaiting(s, 'oneshot', w.task);
    }
    return w.promise;
  }

  /**
   * The value if it has been sent.
   * Errors: TryRecvError `empty` (not yet) or `disconnected` (the sender closed without
   * sending, or this receiver closed).
   */
  tryRecv(): T {
    const s = this.#inner;
    if (s.sent) return s.value as T;
    throw new TryRecvError(s.txClosed || s.rxClosed ? 'disconnected' : 'empty');
  }

  /**
   * Refuse the value: a later `send` fails, the sender's `closed()` resolves. A value sent
   * before still arrives. Idempotent.
   */
  close(): void {
    const s = this.#inner;
    if (s.rxClosed) return;
    s.rxClosed = true;
    for (const w of s.txWaiters.takeAll()) w.wake(undefined);
    if (!s.sent) s.failReceivers();
  }

  /** `close()`: Rust's drop of the receiver. */
  [Symbol.dispose](): void {
    this.close();
  }
}

/** A new single-value channel: `[sender, receiver]`. */
export function channel<T>(): [OneshotSender<T>, OneshotReceiver<T>] {
  const inner = new Inner<T>();
  return [constructSender(inner), constructReceiver(inner)];
}

export { OneshotSender as Sender, OneshotReceiver as Receiver };
