/**
 * The receiving half of an mpsc channel (bounded or unbounded: Tokio's `Receiver` and
 * `UnboundedReceiver` differ only in the sender side, so skein has one class).
 *
 * `recv()` resolves with `undefined` once every sender has closed and the buffer is
 * drained (Rust's `None`), so don't send `undefined` itself through a channel.
 */
import { TryRecvError } from '../../errors/channel_errors.js';
import { assertNumber, typeError } from '../../errors/invalid_argument.js';
import { noteWaiting, resourceTracking } from '../../task/resource_tracking.js';
import { coop } from '../../task/yield_now.js';
import { RecvWaiter, type Chan } from './chan.js';

const DONE: IteratorReturnResult<undefined> = Object.freeze({ done: true, value: undefined });

/** Set by Receiver's static block, the one place that may call its private constructor. */
let construct: <T>(chan: Chan<T>) => Receiver<T>;

/**
 * The receiver of a new channel. `mpsc.channel` and `mpsc.unboundedChannel` make it through
 * this, so the constructor can stay private and out of the public declarations.
 */
export function receiverOf<T>(chan: Chan<T>): Receiver<T> {
  return construct(chan);
}

/** Receives values from an mpsc channel, in send order. There is exactly one per channel. */
export class Receiver<T> implements Disposable, AsyncIterable<T> {
  readonly #chan: Chan<T>;

  /** Made by `mpsc.channel` / `mpsc.unboundedChannel`. */
  private constructor(chan: Chan<T>) {
    this.#chan = chan;
  }

  static {
    construct = (chan) => new Receiver(chan);
  }

  /**
   * The next value; undefined once every sender has closed and the buffer is drained (or,
   * after `close()`, once the buffer is drained and no reserved permit is outstanding).
   * Cancel safety: cancel-safe. A cancelled `recv` takes no message; one that had already
   * been handed a message puts it back at the front.
   * Errors: `Cancelled` when the task is cancelled.
   */
  recv(): Promise<T | undefined> {
    const chan = this.#chan;
    if (chan.buffer.length !== 0) {
      const c = coop();
      if (c !== undefined) return c.then(() => this.recv());
      const v = chan.buffer.shift() as T;
      chan.received();
      return Promise.resolve(v);
    }
    if (chan.ended()) {
      // The end is a ready result too: a loop on it must yield (Tokio's recv charges first).
      const c = coop();
      return c === undefined ? Promise.resolve(undefined) : c.then(() => this.recv());
    }
    const w = new RecvWaiter<T>(chan);
    if (w.pending) {
      chan.rxWaiters.pushBack(w);
      if (resourceTracking.active !== 0) noteWaiting(chan, 'mpsc', w.task);
    }
    return w.promise;
  }

  /**
   * The next value if one is buffered.
   * Errors: TryRecvError `empty` (nothing yet) or `disconnected` (the channel has ended).
   */
  tryRecv(): T {
    const chan = this.#chan;
    if (chan.buffer.length !== 0) {
      const v = chan.buffer.shift() as T;
      chan.received();
      return v;
    }
    throw new TryRecvError(chan.ended() ? 'disconnected' : 'empty');
  }

  /**
   * Wait for at least one value, then move up to `limit` buffered values onto the end of
   * `buf`. Resolves with how many were added: 0 only when `limit` is 0 or the channel has
   * ended (Tokio's `recv_many`).
   * Cancel safety: cancel-safe, as `recv`.
   * Errors: TypeError when `buf` is not an array; RangeError for a bad `limit`; `Cancelled`
   * when the task is cancelled.
   */
  recvMany(buf: T[], limit: number): Promise<number> {
    if (!Array.isArray(buf))
      throw typeError(
        `The "buf" argument must be an array the values are pushed onto. Received ${buf === null ? 'null' : typeof buf}`,
      );
    assertNumber(limit, 'limit', 0, true);
    const chan = this.#chan;
    if (limit === 0 || chan.buffer.length !== 0) {
      const c = coop();
      if (limit === 0) return c === undefined ? Promise.resolve(0) : c.then(() => 0);
      if (c !== undefined) return c.then(() => this.recvMany(buf, limit));
      return Promise.resolve(this.#drainInto(buf, limit));
    }
    return this.recv().then((v) => {
      if (v === undefined) return 0;
      buf.push(v);
      return 1 + this.#drainInto(buf, limit - 1);
    });
  }

  // The batch's permits go back in one release: waiting senders are served in the same
  // FIFO order as by one release per value, without a release call per value.
  #drainInto(buf: T[], limit: number): number {
    const chan = this.#chan;
    const buffer = chan.buffer;
    let n = 0;
    while (n < limit && buffer.length !== 0) {
      buf.push(buffer.shift() as T);
      n++;
    }
    if (n !== 0) chan.received(n);
    return n;
  }

  /**
   * Stop accepting values (Rust's `close`): pending and later sends fail with SendError,
   * `Sender.closed()` resolves, but what is already buffered (and values sent through
   * permits reserved before) can still be received. Idempotent.
   */
  close(): void {
    this.#chan.closeRx();
  }

  /** Whether the channel is closed: the receiver closed, or every sender gone. */
  isClosed(): boolean {
    const chan = this.#chan;
    return chan.rxClosed || chan.txCount === 0;
  }

  /** Values buffered right now. */
  len(): number {
    return this.#chan.buffer.length;
  }

  isEmpty(): boolean {
    return this.#chan.buffer.length === 0;
  }

  /** Free capacity (bounded; Infinity when unbounded). */
  capacity(): number {
    const sem = this.#chan.sem;
    return sem === undefined ? Infinity : sem.available();
  }

  /** The capacity the channel was created with (Infinity when unbounded). */
  maxCapacity(): number {
    return this.#chan.capacity;
  }

  /** Senders still open (Tokio's `sender_strong_count`; reserved permits count too). */
  senderCount(): number {
    return this.#chan.txCount;
  }

  /** `close()`: Rust's drop of the receiver. */
  [Symbol.dispose](): void {
    this.close();
  }

  /** `for await (const v of rx)` receives until the channel ends. Breaking out doesn't close it. */
  [Symbol.asyncIterator](): AsyncIterableIterator<T> {
    const next = (v: T | undefined): IteratorResult<T, undefined> =>
      v === undefined ? DONE : { done: false, value: v };
    const it: AsyncIterableIterator<T> = {
      next: () => this.recv().then(next),
      [Symbol.asyncIterator]: () => it,
    };
    return it;
  }
}
