/**
 * `sharedWatch`: core's `watch` for tasks on any thread of a runtime: one value that
 * changes over time, many observers, each remembering the version it has seen.
 *
 * The buffer (`watch_state.ts`) holds the value (a structured clone in a value cell), its
 * VERSION, the sender's CLOSED flag and the receiver count, guarded by a futex lock held
 * only to copy bytes in or out; values are encoded before it is taken. Every change bumps
 * the EVENT word (`fanout_channel.ts`), which waiting `changed()` / `closed()` calls watch
 * and then re-check, so cancelling one has nothing to undo.
 *
 * Crossing threads: the sender *moves* (Tokio's watch sender is not Clone); a receiver
 * passed to a task is a clone made at the `spawn` call, with the same seen version, which
 * the task drops when it finishes. Each end counts on the thread it lives on (the permit
 * core's thread table), so a thread that dies holding some drops them
 * ({@link releaseWatchThread}).
 */
import { AlreadyReleasedError, RecvError, SendError, assertFunction, coop } from '@skein/core';
import {
  HANDLE_STATE_MASK,
  HandleKind,
  SHARED_HANDLE,
  adopt,
  registerHandleKind,
  unwrapState,
  withState,
  type HandleDescriptor,
} from './handle_codec.js';
import { EVENT } from './fanout_channel.js';
import { allocatePrimitive } from './primitive_buffer.js';
import { Ledger, type Owned } from './thread_ledger.js';
import { DEFAULT_MAX_BYTES } from './value_cell.js';
import { VERSION, WatchState } from './watch_state.js';

/** Options of {@link sharedWatch.channel}. */
export interface SharedWatchOptions {
  /** Most bytes the encoded value may take (default 64 KiB); a larger one throws RangeError. */
  maxBytes?: number;
}

/** Set by SharedWatchSender's static block, the one place that may call its private constructor. */
let constructSender: <T>(s: WatchState) => SharedWatchSender<T>;

/** Publishes new values to every {@link SharedWatchReceiver}, on every thread. */
export class SharedWatchSender<T> implements Disposable {
  readonly #s: WatchState;
  #open = true;

  /** Made by `sharedWatch.channel`; counts on this thread. */
  private constructor(s: WatchState) {
    this.#s = s;
    s.core.own(1);
  }

  static {
    constructSender = (s) => new SharedWatchSender(s);
  }

  #check(): void {
    if (!this.#open) throw new AlreadyReleasedError('sharedWatch sender');
  }

  /**
   * Publish `value` (a structured clone) and wake every `changed()` on every thread.
   * Errors: SendError (with `.value`) when there are no receivers or this sender was
   * closed; the value is then *not* stored (Tokio). SerializationError / RangeError (over
   * maxBytes), with nothing stored.
   */
  send(value: T): void {
    if (!this.#open || this.#s.receivers() === 0) throw new SendError(value);
    this.#s.publish(value);
  }

  /**
   * Change the value: `fn` gets a copy of the current value and may mutate it or return a
   * replacement (a returned `undefined` keeps the mutated copy), which is stored and
   * notified, receivers or not. `fn` runs on this thread with no lock held: the sender is
   * the only writer. Errors: whatever `fn` throws (nothing stored); SerializationError /
   * RangeError; AlreadyReleasedError once closed.
   */
  // biome-ignore lint/suspicious/noConfusingVoidType: a modifier may mutate in place and return nothing, as Tokio's send_modify
  sendModify(fn: (value: T) => T | void): void {
    assertFunction(fn, 'fn');
    this.#check();
    const v = this.#s.read()[0] as T;
    const r = fn(v);
    this.#s.publish(r === undefined ? v : r);
  }

  /**
   * Like `sendModify`, but stores and notifies only when `fn` returns true (Tokio's
   * `send_if_modified`). Returns what `fn` returned.
   */
  sendIfModified(fn: (value: T) => boolean): boolean {
    assertFunction(fn, 'fn');
    this.#check();
    const v = this.#s.read()[0] as T;
    const modified = fn(v);
    if (modified) this.#s.publish(v);
    return modified;
  }

  /** Store `value` (receivers or not), notify, and return the previous value. */
  sendReplace(value: T): T {
    this.#check();
    const old = this.#s.read()[0] as T;
    this.#s.publish(value);
    return old;
  }

  /** The current value (a fresh copy). */
  borrow(): T {
    return this.#s.read()[0] as T;
  }

  /** A new receiver on this thread; the current value counts as seen by it. */
  subscribe(): SharedWatchReceiver<T> {
    this.#s.addRx();
    this.#s.core.own(1, Ledger.receivers);
    return constructReceiver<T>(this.#s, this.#s.load(VERSION));
  }

  /** Live receivers, on every thread. */
  receiverCount(): number {
    return this.#s.receivers();
  }

  /** Whether every receiver has closed. */
  isClosed(): boolean {
    return this.#s.receivers() === 0;
  }

  /**
   * Resolves once every receiver, on every thread, has closed.
   * Cancel safety: cancel-safe. Errors: `Cancelled` when the task is cancelled.
   */
  async closed(): Promise<void> {
    const c = coop();
    if (c !== undefined) await c;
    await this.#s.untilNoReceivers();
  }

  /**
   * Drop the sender (idempotent): receivers keep the last value; their `changed()` rejects
   * with RecvError (closed) once they have seen it.
   */
  close(): void {
    if (!this.#open) return;
    this.#open = false;
    this.#s.core.own(-1);
    this.#s.closeTx();
  }

  /** `close()`. */
  [Symbol.dispose](): void {
    this.close();
  }

  /** @internal Crossing moves the sender: this copy is closed for use here. */
  [SHARED_HANDLE](): HandleDescriptor {
    this.#check();
    return {
      kind: HandleKind.watchSender,
      sab: this.#s.sab,
      send: () => {
        this.#open = false;
        this.#s.core.own(-1);
      },
    };
  }
}

/** Set by SharedWatchReceiver's static block, the one place that may call its private constructor. */
let constructReceiver: <T>(s: WatchState, seen: number) => SharedWatchReceiver<T>;

/** Observes a sharedWatch channel's value, on any thread. */
export class SharedWatchReceiver<T> implements Disposable {
  readonly #s: WatchState;
  #seen: number;
  #open = true;

  /** Made by `sharedWatch.channel`, `subscribe()` and `clone()`. */
  private constructor(s: WatchState, seen: number) {
    this.#s = s;
    this.#seen = seen;
  }

  static {
    constructReceiver = (s, seen) => new SharedWatchReceiver(s, seen);
  }

  /**
   * Wait until a value this receiver hasn't seen is published, and mark it seen.
   * Resolves at once if one already is.
   * Cancel safety: cancel-safe.
   * Errors: RecvError (closed) when the sender has closed and the latest value was seen
   * (or this receiver was closed); `Cancelled` when the task is cancelled.
   */
  async changed(): Promise<void> {
    const s = this.#s;
    for (;;) {
      const e = s.load(EVENT);
      const version = s.load(VERSION);
      const ready = version !== this.#seen && this.#open;
      if (ready || s.isClosed() || !this.#open) {
        // Ready either way: a loop on it must still yield (see `coop`).
        const c = coop();
        if (c !== undefined) await c;
        if (!ready) throw new RecvError('closed');
        this.#seen = version;
        return;
      }
      await s.changed(e);
    }
  }

  /** The latest value (a fresh copy), without marking it seen. */
  borrow(): T {
    return this.#s.read()[0] as T;
  }

  /** The latest value (a fresh copy), marking it seen. */
  borrowAndUpdate(): T {
    const [v, version] = this.#s.read();
    this.#seen = version;
    return v as T;
  }

  /**
   * Whether a value this receiver hasn't seen is there.
   * Errors: RecvError (closed) once the sender has closed (Tokio's `has_changed`).
   */
  hasChanged(): boolean {
    if (this.#s.isClosed() || !this.#open) throw new RecvError('closed');
    return this.#seen !== this.#s.load(VERSION);
  }

  /** Make the current value count as unseen (Tokio's `mark_changed`). */
  markChanged(): void {
    this.#seen = (this.#s.load(VERSION) - 1) | 0;
  }

  /** Make the current value count as seen (Tokio's `mark_unchanged`). */
  markUnchanged(): void {
    this.#seen = this.#s.load(VERSION);
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
    return this.#s.isClosed();
  }

  /** Another receiver with the same seen version. */
  clone(): SharedWatchReceiver<T> {
    this.#s.addRx();
    this.#s.core.own(1, Ledger.receivers);
    return new SharedWatchReceiver<T>(this.#s, this.#seen);
  }

  /** Whether `other` observes the same channel. */
  sameChannel(other: SharedWatchReceiver<T>): boolean {
    return this.#s.sab === other.#s.sab;
  }

  /** Stop observing (Rust's drop). Idempotent. */
  close(): void {
    if (!this.#open) return;
    this.#open = false;
    this.#s.core.own(-1, Ledger.receivers);
    this.#s.dropRx(1);
  }

  /** `close()`. */
  [Symbol.dispose](): void {
    this.close();
  }

  /** @internal Crossing makes a clone there with this seen version: count it now (the `spawn` call). */
  [SHARED_HANDLE](): HandleDescriptor {
    if (!this.#open) throw new AlreadyReleasedError('sharedWatch receiver');
    const s = this.#s;
    return {
      kind: withState(HandleKind.watchReceiver, this.#seen & HANDLE_STATE_MASK),
      sab: s.sab,
      send: () => s.addRx(),
    };
  }
}

registerHandleKind(HandleKind.watchSender, (sab) => {
  const tx = constructSender<unknown>(new WatchState(sab));
  adopt({ drop: () => tx.close() });
  return tx;
});
registerHandleKind(HandleKind.watchReceiver, (sab, seen) => {
  const s = new WatchState(sab);
  s.core.own(1, Ledger.receivers);
  const rx = constructReceiver<unknown>(s, unwrapState(seen, s.load(VERSION)));
  adopt({ drop: () => rx.close() });
  return rx;
});

/** Watch channels whose ends work on, and cross between, any threads of a runtime. */
export const sharedWatch = {
  /**
   * A watch channel starting at `initial` (a structured clone, which counts as seen):
   * `[sender, receiver]`. Errors: SerializationError / RangeError for `initial`.
   */
  channel<T>(initial: T, opts: SharedWatchOptions = {}): [SharedWatchSender<T>, SharedWatchReceiver<T>] {
    const maxBytes = opts.maxBytes ?? DEFAULT_MAX_BYTES;
    const buf = allocatePrimitive(HandleKind.watchSender, 0, 1, [maxBytes], WatchState.regionBytes(maxBytes));
    const s = new WatchState(buf.sab);
    s.initialize(initial);
    s.core.own(1, Ledger.receivers);
    return [constructSender<T>(s), constructReceiver<T>(s, 0)];
  },
};

/**
 * Thread `tid` has exited: the sender it held counts as dropped (receivers end once they
 * have seen the last value), its receivers as closed (the sender's `closed()` resolves
 * once no other is left). Returns what it did, for the log, or undefined if it held nothing.
 */
export function releaseWatchThread(sab: SharedArrayBuffer, tid: number, held: Owned): string | undefined {
  const s = new WatchState(sab);
  const { owned, receivers } = s.core.releaseThread(tid, held);
  const done: string[] = [];
  if (owned > 0) {
    s.closeTx();
    done.push('dropped its sharedWatch sender');
  }
  if (receivers > 0) {
    s.dropRx(receivers);
    done.push(`closed its ${receivers} sharedWatch receiver(s)`);
  }
  return done.length === 0 ? undefined : done.join(' and ');
}
