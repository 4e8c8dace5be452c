/**
 * The receiving half of a sharedMpsc channel: core's `Receiver` over a {@link Chan}.
 *
 * One consumer thread reads the ring; several tasks of that thread may await `recv` at
 * once. A waiting `recv` parks its task on a core `Waiter` woken from the ring's doorbell,
 * and takes its message only when the task resumes, so a cancelled `recv` loses nothing.
 *
 * Passing the receiver to a task *moves* it (Rust's move): the copy left behind is closed
 * for use, and the task's copy closes the channel when the task finishes.
 */
import { AlreadyReleasedError, TryRecvError, coop } from '@skein/core';
import { tryCoop } from '@skein/core/internal';
import { Chan, EMPTY } from './mpsc_chan.js';
import { HandleKind, SHARED_HANDLE, adopt, registerHandleKind, type HandleDescriptor } from './handle_codec.js';
import { parkUntil } from './word_wait.js';

/** Set by SharedReceiver's static block, the one place that may call its private constructor. */
let construct: <T>(chan: Chan) => SharedReceiver<T>;

/**
 * The receiver of a new channel. `sharedMpsc` makes it through this, so the constructor can
 * stay private and out of the public declarations.
 */
export function sharedReceiverOf<T>(chan: Chan): SharedReceiver<T> {
  return construct(chan);
}

/** The receiving half of a {@link sharedMpsc} channel (bounded or unbounded). */
export class SharedReceiver<T> implements AsyncIterable<T>, Disposable {
  readonly #chan: Chan;
  #moved = false;

  /** Obtain receivers through `sharedMpsc.channel` / `unboundedChannel`. */
  private constructor(chan: Chan) {
    this.#chan = chan;
  }

  static {
    construct = (chan) => new SharedReceiver(chan);
  }

  #check(): void {
    if (this.#moved) throw new AlreadyReleasedError('sharedMpsc receiver (it was moved to another thread)');
  }

  /** Nothing more will arrive: every sender closed (or the receiver did) and the ring is drained. */
  #ended(): boolean {
    const chan = this.#chan;
    return (chan.senders() === 0 || chan.rxClosed()) && !chan.ring.hasPending();
  }

  /**
   * The next message, or `undefined` once every sender, on every thread, is closed and
   * the buffer is drained. Cancel safety: cancel-safe; a cancelled `recv` took nothing.
   */
  recv(): Promise<T | undefined> {
    this.#check();
    const chan = this.#chan;
    const size = chan.ring.peek();
    if (size >= 0) {
      // Ready: charged like core's recv; the message is taken only once the budget allows.
      if (tryCoop()) return Promise.resolve(chan.take(size) as T);
      const c = coop();
      return c === undefined ? this.recv() : c.then(() => this.recv());
    }
    if (this.#ended()) return Promise.resolve(undefined);
    return this.#recvSlow();
  }

  async #recvSlow(): Promise<T | undefined> {
    const chan = this.#chan;
    for (;;) {
      const v = chan.tryPop();
      if (v !== EMPTY) return v as T;
      if (this.#ended()) return undefined;
      chan.ring.sleep();
      if (chan.ring.hasPending() || this.#ended()) {
        chan.ring.wake();
        continue;
      }
      // Woken with nothing: it then looks at the ring itself.
      await parkUntil(chan.ring.doorbell());
      chan.ring.wake();
    }
  }

  /**
   * `recv` for blocking-pool code: blocks the thread until a message arrives or the
   * channel ends (then `undefined`).
   */
  blockingRecv(): T | undefined {
    this.#check();
    const chan = this.#chan;
    for (;;) {
      const v = chan.tryPop();
      if (v !== EMPTY) return v as T;
      if (this.#ended()) return undefined;
      chan.ring.sleep();
      if (!chan.ring.hasPending() && !this.#ended()) chan.ring.doorbellSync();
      chan.ring.wake();
    }
  }

  /**
   * A message if one is ready. Errors: TryRecvError `empty`, or `disconnected` once the
   * channel has ended.
   */
  tryRecv(): T {
    this.#check();
    const v = this.#chan.tryPop();
    if (v !== EMPTY) return v as T;
    throw new TryRecvError(this.#ended() ? 'disconnected' : 'empty');
  }

  /**
   * Waits for at least one message, then moves up to `limit` into `buf`; returns how many
   * (0 once the channel has ended). Cancel safety: cancel-safe.
   */
  async recvMany(buf: T[], limit: number): Promise<number> {
    if (limit <= 0) return 0;
    const first = await this.recv();
    if (first === undefined) return 0;
    buf.push(first);
    let n = 1;
    while (n < limit) {
      const v = this.#chan.tryPop();
      if (v === EMPTY) break;
      buf.push(v as T);
      n++;
    }
    return n;
  }

  /**
   * Close the channel: senders fail from now on (blocked ones too, on every thread); what
   * is buffered can still be received. Idempotent.
   */
  close(): void {
    if (this.#moved) return;
    this.#chan.closeRx();
  }

  /** Messages buffered (a snapshot). */
  len(): number {
    return this.#chan.len();
  }

  isEmpty(): boolean {
    return !this.#chan.ring.hasPending();
  }

  /** Senders alive on every thread (a snapshot). */
  senderCount(): number {
    return this.#chan.senders();
  }

  /** `for await (const v of rx)`: every message until the channel ends. */
  async *[Symbol.asyncIterator](): AsyncIterator<T> {
    for (;;) {
      const v = await this.recv();
      if (v === undefined) return;
      yield v;
    }
  }

  /** Same as `close()`. */
  [Symbol.dispose](): void {
    this.close();
  }

  /** @internal Crossing moves the receiver: this copy can't be used any more. */
  [SHARED_HANDLE](): HandleDescriptor {
    this.#check();
    return {
      kind: HandleKind.mpscReceiver,
      sab: this.#chan.sab,
      send: () => {
        this.#moved = true;
      },
    };
  }
}

registerHandleKind(HandleKind.mpscReceiver, (sab) => {
  const chan = new Chan(sab);
  chan.adoptReceiver();
  const rx = construct<unknown>(chan);
  adopt({ drop: () => rx.close() });
  return rx;
});
