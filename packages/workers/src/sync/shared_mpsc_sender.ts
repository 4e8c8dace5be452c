/**
 * sharedMpsc senders: core's `Sender` / `UnboundedSender` over a {@link Chan} in shared
 * memory. Values are encoded at the call (SerializationError / RangeError then), so a
 * sender never fails later on a value. Each sender copy counts in the channel's sender
 * word; a copy passed to a task counts from the `spawn` call and is closed when the task
 * finishes, so the receiver's `recv()` returns `undefined` once every copy everywhere is.
 */
import { AlreadyReleasedError, SendError, TrySendError, coop } from '@skein/core';
import { tryCoop } from '@skein/core/internal';
import { Chan } from './mpsc_chan.js';
import { HandleKind, SHARED_HANDLE, adopt, registerHandleKind, type HandleDescriptor } from './handle_codec.js';
import { acquireAsync, acquireBlocking, holdThread, letThreadGo } from './shared_wait.js';
import { type Encoded, keepEncoded } from './value_codec.js';

const RESOLVED: Promise<void> = Promise.resolve();

/** What bounded and unbounded senders share: the sender count, closing, `closed()`. */
abstract class SenderBase<_T> implements Disposable {
  /** @internal */
  protected readonly chan: Chan;
  #open = true;

  /** For the two sender classes, which are made by `sharedMpsc` and `clone()`. */
  protected constructor(chan: Chan) {
    this.chan = chan;
  }

  /** @internal */
  protected get open(): boolean {
    return this.#open;
  }

  /** @internal Throws AlreadyReleasedError once this sender was closed. */
  protected checkOpen(): void {
    if (!this.#open) throw new AlreadyReleasedError('sharedMpsc sender');
  }

  /**
   * Drop this sender (Rust's drop). Once every sender on every thread is closed, the
   * receiver drains what is buffered and then gets `undefined`. Idempotent.
   */
  close(): void {
    if (!this.#open) return;
    this.#open = false;
    this.afterClose();
  }

  /** @internal What closing does once the sender is marked closed. */
  protected afterClose(): void {
    this.chan.dropSender();
  }

  /** True once the receiver has closed: sends fail from then on. */
  isClosed(): boolean {
    return this.chan.rxClosed();
  }

  /** Resolves once the receiver has closed. */
  closed(): Promise<void> {
    return this.chan.rxClosed() ? RESOLVED : this.chan.rxClosedAsync();
  }

  /** True when `other` sends on the same channel. */
  sameChannel(other: SenderBase<unknown>): boolean {
    return other.chan.sab === this.chan.sab;
  }

  /** Same as `close()`. */
  [Symbol.dispose](): void {
    this.close();
  }

  /** @internal Crossing to another thread makes a copy there: counted once the payload is complete (the `spawn` call). */
  [SHARED_HANDLE](): HandleDescriptor {
    this.checkOpen();
    const chan = this.chan;
    return {
      kind: chan.bounded ? HandleKind.mpscSender : HandleKind.mpscUnboundedSender,
      sab: chan.sab,
      send: () => chan.addSender(false),
    };
  }
}

/** Set by SharedSender's static block, the one place that may call its private constructor. */
let constructSender: <T>(chan: Chan) => SharedSender<T>;

/**
 * The first sender of a new bounded channel. `sharedMpsc.channel` makes it through this, so
 * the constructor can stay private and out of the public declarations.
 */
export function sharedSenderOf<T>(chan: Chan): SharedSender<T> {
  return constructSender(chan);
}

/** The sending half of a bounded {@link sharedMpsc} channel. Clone it for more producers. */
export class SharedSender<T> extends SenderBase<T> {
  /** Obtain senders through `sharedMpsc.channel` and `clone`. */
  private constructor(chan: Chan) {
    super(chan);
  }

  static {
    constructSender = (chan) => new SharedSender(chan);
  }

  /**
   * Send `value`, waiting (FIFO, parking only this task) while the channel is full.
   * Cancel safety: a cancelled send has not sent (the value goes in only when the task
   * resumes with its slot). Errors: SendError (with `.value`) once the receiver closed;
   * SerializationError / RangeError (over maxBytes) thrown at the call.
   */
  send(value: T): Promise<void> {
    this.checkOpen();
    const chan = this.chan;
    const e = chan.encode(value);
    // Ready (a free slot): charged like core's send. Taking the slot first and giving it back
    // when the budget is spent costs nothing in the common case, where checking first
    // would cost two more shared-memory reads per message. A closed channel has no free slot.
    if (chan.core.tryTake(1)) {
      if (tryCoop()) return chan.tryPush(e) ? RESOLVED : this.#pushSlow(keepEncoded(e), value);
      chan.core.release(1);
      const c = coop();
      return c === undefined ? this.send(value) : c.then(() => this.send(value));
    }
    if (chan.rxClosed()) return Promise.reject(new SendError(value));
    const kept = keepEncoded(e);
    return acquireAsync(
      chan.core,
      1,
      () => undefined,
      () => new SendError(value),
    ).then(() => (chan.tryPush(kept) ? undefined : this.#pushSlow(kept, value)));
  }

  /** The ring lacks bytes for now (large values): wait for the receiver, keeping the slot. */
  async #pushSlow(e: Encoded, value: T): Promise<void> {
    if (!(await this.chan.pushAsync(e))) {
      this.chan.core.release(1);
      throw new SendError(value);
    }
  }

  /**
   * `send` for blocking-pool code: blocks the thread while the channel is full.
   * Errors: SendError once the receiver closed; SerializationError / RangeError.
   */
  blockingSend(value: T): void {
    this.checkOpen();
    const chan = this.chan;
    const e = keepEncoded(chan.encode(value));
    if (chan.rxClosed() || !acquireBlocking(chan.core, 1)) throw new SendError(value);
    if (!chan.pushBlocking(e)) {
      chan.core.release(1);
      throw new SendError(value);
    }
  }

  /** Send now if there is room. Errors: TrySendError `full` or `closed` (with `.value`). */
  trySend(value: T): void {
    this.checkOpen();
    const chan = this.chan;
    const e = chan.encode(value);
    if (chan.rxClosed()) throw new TrySendError('closed', value);
    if (!chan.core.tryTake(1)) throw new TrySendError(chan.rxClosed() ? 'closed' : 'full', value);
    if (!chan.tryPush(e)) {
      chan.core.release(1);
      throw new TrySendError('full', value);
    }
  }

  /** Another sender on the same channel. Errors: AlreadyReleasedError if this one is closed. */
  clone(): SharedSender<T> {
    this.checkOpen();
    this.chan.addSender(true);
    return new SharedSender<T>(this.chan);
  }

  /** Free slots right now. */
  capacity(): number {
    return this.chan.core.available();
  }

  /** The channel's capacity. */
  maxCapacity(): number {
    return this.chan.capacity;
  }
}

/** Set by SharedUnboundedSender's static block, the one place that may call its private constructor. */
let constructUnboundedSender: <T>(chan: Chan) => SharedUnboundedSender<T>;

/**
 * The first sender of a new unbounded channel. `sharedMpsc.unboundedChannel` makes it through
 * this, so the constructor can stay private and out of the public declarations.
 */
export function sharedUnboundedSenderOf<T>(chan: Chan): SharedUnboundedSender<T> {
  return constructUnboundedSender(chan);
}

/**
 * The sending half of an unbounded {@link sharedMpsc} channel: `send` is synchronous and
 * never waits. When the shared ring is full, values wait in this thread's spill queue
 * (in order) and move into the ring as the receiver frees room.
 */
export class SharedUnboundedSender<T> extends SenderBase<T> {
  readonly #spill: Encoded[] = [];
  #flushing = false;
  #closeWhenFlushed = false;

  /** Obtain senders through `sharedMpsc.unboundedChannel` and `clone`. */
  private constructor(chan: Chan) {
    super(chan);
  }

  static {
    constructUnboundedSender = (chan) => new SharedUnboundedSender(chan);
  }

  /**
   * Send `value` now. Errors: SendError (with `.value`) once the receiver closed;
   * SerializationError / RangeError (over maxBytes).
   */
  send(value: T): void {
    this.checkOpen();
    const chan = this.chan;
    const e = chan.encode(value);
    if (chan.rxClosed()) throw new SendError(value);
    if (this.#spill.length === 0 && chan.tryPush(e)) return;
    this.#spill.push(keepEncoded(e));
    if (!this.#flushing) void this.#flush();
  }

  /** `send` (which never blocks), under the name blocking-pool code looks for. */
  blockingSend(value: T): void {
    this.send(value);
  }

  async #flush(): Promise<void> {
    this.#flushing = true;
    holdThread();
    try {
      const spill = this.#spill;
      while (spill.length > 0) {
        if (!this.chan.tryPush(spill[0]!) && !(await this.chan.pushAsync(spill[0]!))) {
          spill.length = 0; // the receiver closed: nobody will read them
          break;
        }
        spill.shift();
      }
    } finally {
      this.#flushing = false;
      letThreadGo();
      if (this.#closeWhenFlushed) this.chan.dropSender();
    }
  }

  /** @internal Values still spilled count as sent: the count drops once they are in the ring. */
  protected override afterClose(): void {
    if (this.#flushing) this.#closeWhenFlushed = true;
    else this.chan.dropSender();
  }

  /** Another sender on the same channel. Errors: AlreadyReleasedError if this one is closed. */
  clone(): SharedUnboundedSender<T> {
    this.checkOpen();
    this.chan.addSender(true);
    return new SharedUnboundedSender<T>(this.chan);
  }
}

registerHandleKind(HandleKind.mpscSender, (sab) => {
  const chan = new Chan(sab);
  chan.adoptSender();
  const tx = constructSender<unknown>(chan);
  adopt({ drop: () => tx.close() });
  return tx;
});
registerHandleKind(HandleKind.mpscUnboundedSender, (sab) => {
  const chan = new Chan(sab);
  chan.adoptSender();
  const tx = constructUnboundedSender<unknown>(chan);
  adopt({ drop: () => tx.close() });
  return tx;
});
