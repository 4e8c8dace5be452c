/**
 * The bounded mpsc channel: Tokio's `mpsc::channel(capacity)`.
 *
 * Backpressure is a {@link BatchSemaphore} of `capacity` permits (see `chan.ts`): `send`
 * waits for a permit FIFO, then the value goes in. A sender that has to wait parks a
 * {@link SendWaiter} holding its value; the value enters the channel only when the sending
 * task resumes, never at grant time, so a `send` cancelled at any point has provably not
 * sent (Tokio's cancel-safety guarantee for `send`).
 */
import { SendError, SendTimeoutError, TrySendError } from '../../errors/channel_errors.js';
import { AlreadyReleasedError } from '../../errors/sync_errors.js';
import { Elapsed } from '../../errors/skein_error.js';
import { assertDuration, assertNumber, rangeError } from '../../errors/invalid_argument.js';
import { timeout } from '../../time/timeout.js';
import { coop } from '../../task/yield_now.js';
import { AcquireWaiter, BatchSemaphore, MAX_PERMITS } from '../batch_semaphore.js';
import { Chan } from './chan.js';
import { receiverOf, type Receiver } from './receiver.js';
import { SenderBase } from './sender_base.js';

const RESOLVED: Promise<void> = Promise.resolve();

/** A parked `send`: its value goes in when the task resumes with the permit. */
class SendWaiter<T> extends AcquireWaiter<void> {
  readonly chan: Chan<T>;
  readonly message: T;
  #closed = false;

  constructor(chan: Chan<T>, message: T) {
    super(chan.sem!, undefined);
    this.chan = chan;
    this.message = message;
  }

  override closedError(): unknown {
    this.#closed = true;
    return new SendError(this.message);
  }

  // Waiter.run resolves unless the waiter failed (closed, even after its grant) or its
  // scope was cancelled (then the semaphore's onCancel returns the permit). Only a
  // resolving send delivers; a failing one may have returned the last slot a closed
  // channel's receiver was waiting for.
  override run(): void {
    this.failIfClosedSinceGrant(this.chan.sem!);
    super.run();
    if (!this.#closed && (this.scope === undefined || !this.scope.cancelled)) this.chan.push(this.message);
    else if (this.chan.rxClosed) this.chan.wakeIfEnded();
  }
}

/** A parked `reserve`: a closed channel fails it with SendError, as in Tokio. */
class ReserveWaiter<T> extends AcquireWaiter<Permit<T>> {
  readonly chan: Chan<T>;

  constructor(chan: Chan<T>) {
    super(chan.sem!, constructPermit(chan));
    this.chan = chan;
  }

  override closedError(): unknown {
    return new SendError(undefined, 'channel closed: the receiver has been closed; no permit can be reserved');
  }

  // A reserve that fails or is cancelled after its grant gives its slot back here; if that
  // was the last one out, a receiver parked on the closed channel sees the end now.
  override run(): void {
    this.failIfClosedSinceGrant(this.chan.sem!);
    super.run();
    if (this.chan.rxClosed) this.chan.wakeIfEnded();
  }
}

/** Set by Permit's static block, the one place that may call its private constructor. */
let constructPermit: <T>(chan: Chan<T>) => Permit<T>;

/**
 * One reserved slot of capacity (Tokio's `mpsc::Permit`): `send(v)` can't fail or wait.
 * Use it or `release()` it; an unused permit keeps the channel open for the receiver.
 */
export class Permit<T> implements Disposable {
  #chan: Chan<T> | null;

  /** Obtained through `Sender.reserve` / `tryReserve`. */
  private constructor(chan: Chan<T>) {
    this.#chan = chan;
  }

  static {
    constructPermit = (chan) => new Permit(chan);
  }

  /** Send through the reserved slot. Errors: AlreadyReleasedError if used or released before. */
  send(value: T): void {
    const chan = this.#chan;
    if (chan === null) throw new AlreadyReleasedError('mpsc permit');
    this.#chan = null;
    chan.push(value);
    chan.dropTx();
  }

  /** Give the slot back unused. Errors: AlreadyReleasedError if used or released before. */
  release(): void {
    const chan = this.#chan;
    if (chan === null) throw new AlreadyReleasedError('mpsc permit');
    this.#chan = null;
    chan.received();
    chan.dropTx();
  }

  /** Release unless already used or released. */
  [Symbol.dispose](): void {
    if (this.#chan !== null) this.release();
  }
}

/** Set by Sender's static block, the one place that may call its private constructor. */
let constructSender: <T>(chan: Chan<T>) => Sender<T>;

/**
 * The sending half of a bounded channel. Clone it for more producers; the receiver sees the
 * end once every clone is closed.
 */
export class Sender<T> extends SenderBase<T> {
  /** Made by `mpsc.channel` and `clone()`. */
  private constructor(chan: Chan<T>) {
    super(chan);
  }

  static {
    constructSender = (chan) => new Sender(chan);
  }

  /**
   * Send `value`, waiting (FIFO) while the channel is full.
   * Cancel safety: if the send is cancelled (abort, select, timeout) the value was not sent;
   * its place in the queue is lost.
   * Errors: SendError (with `.value`) when the receiver is closed or this sender was closed;
   * `Cancelled` when the task is cancelled.
   */
  send(value: T): Promise<void> {
    const chan = this.chan;
    const sem = chan.sem!;
    const closed = !this.open || sem.isClosed();
    if (closed || sem.available() !== 0) {
      // Ready, sent or failed: charged either way (Tokio's send charges the budget first).
      const c = coop();
      if (c !== undefined) return c.then(() => this.send(value));
      if (closed) return Promise.reject(new SendError(value));
      sem.tryTake(1);
      chan.push(value);
      return RESOLVED;
    }
    return sem.wait(new SendWaiter(chan, value), 1);
  }

  /**
   * Send now if there is room.
   * Errors: TrySendError `full` or `closed` (with `.value`).
   */
  trySend(value: T): void {
    const chan = this.chan;
    const sem = chan.sem!;
    if (!this.open || sem.isClosed()) throw new TrySendError('closed', value);
    if (!sem.tryTake(1)) throw new TrySendError('full', value);
    chan.push(value);
  }

  /**
   * `send`, giving up after `ms` milliseconds.
   * Cancel safety: as `send`; on timeout the value was not sent.
   * Errors: SendTimeoutError `timeout` or `closed` (with `.value`); NoRuntimeError when it
   * has to wait outside a runtime.
   */
  sendTimeout(value: T, ms: number): Promise<void> {
    assertDuration(ms, 'ms');
    const sem = this.chan.sem!;
    if (!this.open || sem.isClosed()) {
      const c = coop();
      if (c !== undefined) return c.then(() => this.sendTimeout(value, ms));
      return Promise.reject(new SendTimeoutError('closed', value));
    }
    if (sem.available() !== 0) return this.send(value);
    let waited: Promise<void>;
    try {
      waited = timeout(ms, () => this.send(value));
    } catch (err) {
      return Promise.reject(err);
    }
    return waited.catch((err: unknown) => {
      if (err instanceof Elapsed) throw new SendTimeoutError('timeout', value);
      if (err instanceof SendError) throw new SendTimeoutError('closed', value);
      throw err;
    });
  }

  /**
   * Wait for a slot and reserve it: the returned permit's `send` can't fail or wait.
   * Cancel safety: cancel-safe; a cancelled reserve holds nothing.
   * Errors: SendError when the channel is closed; `Cancelled` when the task is cancelled.
   */
  reserve(): Promise<Permit<T>> {
    const chan = this.chan;
    const sem = chan.sem!;
    const closed = !this.open || sem.isClosed();
    if (closed || sem.available() !== 0) {
      const c = coop();
      if (c !== undefined) return c.then(() => this.reserve());
      if (closed) return Promise.reject(new SendError(undefined));
      sem.tryTake(1);
      chan.txCount++;
      return Promise.resolve(constructPermit(chan));
    }
    // The permit counts as a sender from now on (it is handed out unless cancelled, when
    // the semaphore gives the slot back and `dropTx` below runs).
    chan.txCount++;
    const p = sem.wait(new ReserveWaiter<T>(chan), 1);
    p.then(undefined, () => chan.dropTx());
    return p;
  }

  /** Reserve a slot now. Errors: TrySendError `full` or `closed` (`.value` undefined). */
  tryReserve(): Permit<T> {
    const chan = this.chan;
    const sem = chan.sem!;
    if (!this.open || sem.isClosed()) throw new TrySendError('closed', undefined);
    if (!sem.tryTake(1)) throw new TrySendError('full', undefined);
    chan.txCount++;
    return constructPermit(chan);
  }

  /** Another sender on the same channel. Errors: AlreadyReleasedError if this one is closed. */
  clone(): Sender<T> {
    return new Sender(this.addSender());
  }

  /** Free slots right now (buffered messages and reserved permits use slots). */
  capacity(): number {
    return this.chan.sem!.available();
  }

  /** The capacity the channel was created with. */
  maxCapacity(): number {
    return this.chan.capacity;
  }
}

/**
 * A bounded channel holding at most `capacity` values: `[sender, receiver]`.
 * Errors: RangeError (code ERR_OUT_OF_RANGE) unless 1 <= capacity <= 2^29 - 1, an integer.
 */
export function channel<T>(capacity: number): [Sender<T>, Receiver<T>] {
  assertNumber(capacity, 'capacity', 1, true);
  if (capacity > MAX_PERMITS)
    throw rangeError(`The value of "capacity" is out of range. It must be <= ${MAX_PERMITS}. Received ${capacity}`);
  const chan = new Chan<T>(new BatchSemaphore(capacity), capacity);
  return [constructSender(chan), receiverOf(chan)];
}
