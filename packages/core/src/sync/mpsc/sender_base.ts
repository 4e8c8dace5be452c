/**
 * What the bounded and unbounded senders share: a handle on the channel that counts as one
 * live sender until it is closed (Rust's drop of a `Sender`). The receiver sees the end of
 * the stream once every handle, clones included, is closed.
 */
import { AlreadyReleasedError } from '../../errors/sync_errors.js';
import { noteEndClosed, noteEndMade, resourceTracking } from '../../task/resource_tracking.js';
import type { Chan } from './chan.js';

/** The lifecycle of one sender handle; `Sender` and `UnboundedSender` add the sending. */
export abstract class SenderBase<T> implements Disposable {
  /** @internal The channel. */
  protected readonly chan: Chan<T>;
  /** @internal False once this handle is closed. */
  protected open = true;

  /** For `Sender` and `UnboundedSender`, which are made by the channel constructors and `clone()`. */
  protected constructor(chan: Chan<T>) {
    this.chan = chan;
    // A clone counted itself in `addSender`: the channel's first sender is the one made at 1.
    if (resourceTracking.active !== 0) noteEndMade(this, chan, 'mpsc', chan.txCount === 1);
  }

  /** @internal For `clone()`: count one more sender. Errors: AlreadyReleasedError once closed. */
  protected addSender(): Chan<T> {
    if (!this.open) throw new AlreadyReleasedError('mpsc sender');
    this.chan.txCount++;
    return this.chan;
  }

  /** Drop this sender (idempotent). When the last one goes, the receiver sees the end. */
  close(): void {
    if (!this.open) return;
    this.open = false;
    noteEndClosed(this, this.chan);
    this.chan.dropTx();
  }

  /**
   * Resolves when the receiver is closed (Tokio's `closed`).
   * Cancel safety: cancel-safe. Errors: `Cancelled` when the task is cancelled.
   */
  closed(): Promise<void> {
    return this.chan.whenRxClosed();
  }

  /** Whether the receiver has closed (or this sender was closed). */
  isClosed(): boolean {
    return this.chan.rxClosed || !this.open;
  }

  /** Whether `other` sends on the same channel. */
  sameChannel(other: SenderBase<T>): boolean {
    return this.chan === other.chan;
  }

  /** `close()`: Rust's drop of a sender. */
  [Symbol.dispose](): void {
    this.close();
  }
}
