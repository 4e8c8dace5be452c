/**
 * The unbounded mpsc channel: Tokio's `mpsc::unbounded_channel()`.
 *
 * Same channel core as the bounded one, without the semaphore: a send never waits, so
 * `UnboundedSender.send` is synchronous (as in Tokio, where it isn't `async` either).
 * Nothing slows a producer down, so prefer a bounded channel unless the producer is
 * known to be slower than the consumer.
 */
import { SendError } from '../../errors/channel_errors.js';
import { AlreadyReleasedError } from '../../errors/sync_errors.js';
import { Chan } from './chan.js';
import { Receiver } from './receiver.js';

/** The sending half of an unbounded channel. */
export class UnboundedSender<T> implements Disposable {
  readonly #chan: Chan<T>;
  #open = true;

  /** @internal Made by `mpsc.unboundedChannel` and `clone()`. */
  constructor(chan: Chan<T>) {
    this.#chan = chan;
  }

  /**
   * Queue `value` (never waits).
   * Errors: SendError (with `.value`) once the receiver is closed, or this sender closed.
   */
  send(value: T): void {
    const chan = this.#chan;
    if (!this.#open || chan.rxClosed) throw new SendError(value);
    chan.push(value);
  }

  /** Another sender on the same channel. Errors: AlreadyReleasedError if this one is closed. */
  clone(): UnboundedSender<T> {
    if (!this.#open) throw new AlreadyReleasedError('mpsc sender');
    this.#chan.txCount++;
    return new UnboundedSender(this.#chan);
  }

  /** Drop this sender (idempotent). When the last one goes, the receiver sees the end. */
  close(): void {
    if (!this.#open) return;
    this.#open = false;
    this.#chan.dropTx();
  }

  /**
   * Resolves when the receiver is closed.
   * Cancel safety: cancel-safe. Errors: `Cancelled` when the task is cancelled.
   */
  closed(): Promise<void> {
    return this.#chan.whenRxClosed();
  }

  /** Whether the receiver has closed (or this sender was closed). */
  isClosed(): boolean {
    return this.#chan.rxClosed || !this.#open;
  }

  /** Whether `other` sends on the same channel. */
  sameChannel(other: UnboundedSender<T>): boolean {
    return this.#chan === other.#chan;
  }

  /** `close()`: Rust's drop of a sender. */
  [Symbol.dispose](): void {
    this.close();
  }
}

/** A channel with no capacity limit: `[sender, receiver]`. */
export function unboundedChannel<T>(): [UnboundedSender<T>, Receiver<T>] {
  const chan = new Chan<T>(undefined, Infinity);
  return [new UnboundedSender(chan), new Receiver(chan)];
}
