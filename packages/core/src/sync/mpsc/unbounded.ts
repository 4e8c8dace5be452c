/**
 * The unbounded mpsc channel: Tokio's `mpsc::unbounded_channel()`.
 *
 * Same channel core as the bounded one, without the semaphore: a send never waits, so
 * `UnboundedSender.send` is synchronous (as in Tokio, where it isn't `async` either).
 * Nothing slows a producer down, so prefer a bounded channel unless the producer is
 * known to be slower than the consumer.
 */
import { SendError } from '../../errors/channel_errors.js';
import { Chan } from './chan.js';
import { receiverOf, type Receiver } from './receiver.js';
import { SenderBase } from './sender_base.js';

/** Set by UnboundedSender's static block, the one place that may call its private constructor. */
let construct: <T>(chan: Chan<T>) => UnboundedSender<T>;

/** The sending half of an unbounded channel. */
export class UnboundedSender<T> extends SenderBase<T> {
  /** Made by `mpsc.unboundedChannel` and `clone()`. */
  private constructor(chan: Chan<T>) {
    super(chan);
  }

  static {
    construct = (chan) => new UnboundedSender(chan);
  }

  /**
   * Queue `value` (never waits).
   * Errors: SendError (with `.value`) once the receiver is closed, or this sender closed.
   */
  send(value: T): void {
    const chan = this.chan;
    if (!this.open || chan.rxClosed) throw new SendError(value);
    chan.push(value);
  }

  /** Another sender on the same channel. Errors: AlreadyReleasedError if this one is closed. */
  clone(): UnboundedSender<T> {
    return new UnboundedSender(this.addSender());
  }
}

/** A channel with no capacity limit: `[sender, receiver]`. */
export function unboundedChannel<T>(): [UnboundedSender<T>, Receiver<T>] {
  const chan = new Chan<T>(undefined, Infinity);
  return [construct(chan), receiverOf(chan)];
}
