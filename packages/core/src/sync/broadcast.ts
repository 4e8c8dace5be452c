/**
 * `broadcast`: multi-producer, multi-consumer, every receiver sees every value (Tokio's
 * `sync::broadcast`), as a namespace (`broadcast.channel`, `broadcast.Sender`, …).
 *
 * The design is Tokio's ring: `capacity` (rounded up to a power of two) slots, each
 * stamped with the position it holds and how many receivers still have to read it. Each
 * receiver is just a position. A send overwrites the oldest slot whether or not everyone
 * has read it, so a slow receiver can't block the sender; it finds out on its next `recv`,
 * which rejects with `RecvError` lagged(n), then resumes at the oldest value still held.
 * A slot's value is dropped as soon as its last receiver has read it.
 *
 * A waiting `recv` is only a wake-up signal: on wake it reads the ring again. Nothing is
 * handed over, so a cancelled `recv` has nothing to undo (cancel-safe for free).
 */
import { RecvError, SendError, TryRecvError } from '../errors/channel_errors.js';
import { AlreadyReleasedError } from '../errors/sync_errors.js';
import { assertNumber, rangeError } from '../errors/invalid_argument.js';
import { currentTask, noteEndClosed, noteEndMade, noteWaiting, resourceTracking } from '../task/resource_tracking.js';
import { coop } from '../task/yield_now.js';
import { EventWaiters } from './event_waiters.js';

const MAX_CAPACITY = 2 ** 29;
const RESOLVED: Promise<void> = Promise.resolve();

class Slot<T> {
  pos: number;
  rem = 0;
  value: T | undefined = undefined;
  constructor(pos: number) {
    this.pos = pos;
  }
}

class Shared<T> {
  readonly slots: (Slot<T> | undefined)[];
  readonly mask: number;
  readonly capacity: number;
  /** Position the next send writes. */
  tail = 0;
  rxCount = 1;
  txCount = 1;
  closed = false;
  readonly waiters = new EventWaiters();
  /** Senders in `closed()`, woken when the last receiver goes. */
  readonly txClosedWaiters = new EventWaiters();

  constructor(capacity: number) {
    this.capacity = capacity;
    this.mask = capacity - 1;
    // Slots are made on first write, so a large capacity costs nothing until it is used.
    // An unwritten slot reads as empty (Tokio stamps it one lap behind instead).
    this.slots = new Array<Slot<T>>(capacity);
  }

  wakeAll(): void {
    this.waiters.wakeAll();
  }

  dropRx(): void {
    if (--this.rxCount === 0) this.txClosedWaiters.wakeAll();
  }
}

const VALUE = 0;
const EMPTY = 1;
const LAGGED = 2;
const CLOSED = 3;

/** Set by BroadcastSender's static block, the one place that may call its private constructor. */
let constructSender: <T>(shared: Shared<T>) => BroadcastSender<T>;

/** Sends to every receiver of a broadcast channel. Clone it for more producers. */
export class BroadcastSender<T> implements Disposable {
  readonly #shared: Shared<T>;
  #open = true;

  /** Made by `broadcast.channel` and `clone()`. */
  private constructor(shared: Shared<T>) {
    this.#shared = shared;
    // A clone counted itself first: the channel's own sender is the one made at 1.
    if (resourceTracking.active !== 0) noteEndMade(this, shared, 'broadcast', shared.txCount === 1);
  }

  static {
    constructSender = (shared) => new BroadcastSender(shared);
  }

  /**
   * Send to every current receiver (never waits; the oldest value is overwritten when the
   * ring is full). Returns how many receivers will see it.
   * Errors: SendError (with `.value`) when there are no receivers (the value is not
   * stored) or this sender was closed.
   */
  send(value: T): number {
    const s = this.#shared;
    if (!this.#open || s.rxCount === 0) throw new SendError(value);
    const pos = s.tail;
    const idx = pos & s.mask;
    const slot = s.slots[idx] ?? (s.slots[idx] = new Slot<T>(pos));
    slot.pos = pos;
    slot.rem = s.rxCount;
    slot.value = value;
    s.tail = pos + 1;
    if (!s.waiters.isEmpty()) s.wakeAll();
    return s.rxCount;
  }

  /** A new receiver that sees values sent from now on. */
  subscribe(): BroadcastReceiver<T> {
    const s = this.#shared;
    s.rxCount++;
    return constructReceiver(s, s.tail);
  }

  /** Live receivers. */
  receiverCount(): number {
    return this.#shared.rxCount;
  }

  /** Values still held for some receiver (Tokio's `Sender::len`). */
  len(): number {
    const s = this.#shared;
    let n = 0;
    for (let pos = Math.max(0, s.tail - s.capacity); pos < s.tail; pos++) {
      const slot = s.slots[pos & s.mask];
      if (slot !== undefined && slot.pos === pos && slot.rem > 0) n++;
    }
    return n;
  }

  isEmpty(): boolean {
    return this.len() === 0;
  }

  /** Another sender on the same channel. Errors: AlreadyReleasedError if this one is closed. */
  clone(): BroadcastSender<T> {
    if (!this.#open) throw new AlreadyReleasedError('broadcast sender');
    this.#shared.txCount++;
    return new BroadcastSender(this.#shared);
  }

  /**
   * Drop this sender (idempotent). When the last one goes, receivers get the values still
   * held, then RecvError (closed).
   */
  close(): void {
    if (!this.#open) return;
    this.#open = false;
    const s = this.#shared;
    noteEndClosed(this, s);
    if (--s.txCount === 0) {
      s.closed = true;
      s.wakeAll();
    }
  }

  /**
   * Resolves once every receiver has closed (Tokio's `Sender::closed`). A `subscribe()`
   * between the last receiver closing and the waiting task resuming keeps it waiting: the
   * count is checked again on every wake-up, as Tokio does.
   * Cancel safety: cancel-safe. Errors: `Cancelled` when the task is cancelled.
   */
  closed(): Promise<void> {
    const s = this.#shared;
    if (s.rxCount !== 0) return s.txClosedWaiters.wait().then(() => this.closed());
    const c = coop();
    return c === undefined ? RESOLVED : c.then(() => this.closed());
  }

  /** Whether `other` sends on the same channel. */
  sameChannel(other: BroadcastSender<T>): boolean {
    return this.#shared === other.#shared;
  }

  /** `close()`. */
  [Symbol.dispose](): void {
    this.close();
  }
}

/** Set by BroadcastReceiver's static block, the one place that may call its private constructor. */
let constructReceiver: <T>(shared: Shared<T>, next: number) => BroadcastReceiver<T>;

/** One subscriber's position in a broadcast channel. */
export class BroadcastReceiver<T> implements Disposable {
  readonly #shared: Shared<T>;
  #next: number;
  #open = true;
  #value: T | undefined = undefined;
  #lag = 0;

  /** Made by `broadcast.channel`, `subscribe()` and `resubscribe()`. */
  private constructor(shared: Shared<T>, next: number) {
    this.#shared = shared;
    this.#next = next;
  }

  static {
    constructReceiver = (shared, next) => new BroadcastReceiver(shared, next);
  }

  /**
   * The next value.
   * Cancel safety: cancel-safe (a waiting recv takes nothing until its task resumes).
   * Errors: RecvError `lagged` (`.lagged` = values skipped; the next recv returns the
   * oldest value still held), RecvError `closed` once every sender closed and this receiver
   * has read everything (or it was closed); `Cancelled` when the task is cancelled.
   */
  recv(): Promise<T> {
    if (!this.#isEmpty()) {
      const c = coop();
      if (c !== undefined) return c.then(() => this.recv());
      switch (this.#poll()) {
        case VALUE: {
          const v = this.#value as T;
          this.#value = undefined;
          return Promise.resolve(v);
        }
        case LAGGED:
          return Promise.reject(new RecvError('lagged', this.#lag));
        default:
          return Promise.reject(new RecvError('closed'));
      }
    }
    const s = this.#shared;
    const woken = s.waiters.wait();
    if (resourceTracking.active !== 0) noteWaiting(s, 'broadcast', currentTask());
    return woken.then(() => this.recv());
  }

  /**
   * The next value if one is ready.
   * Errors: TryRecvError `empty`, `lagged` (with `.lagged`) or `disconnected` (closed).
   */
  tryRecv(): T {
    switch (this.#poll()) {
      case VALUE: {
        const v = this.#value as T;
        this.#value = undefined;
        return v;
      }
      case EMPTY:
        throw new TryRecvError('empty');
      case LAGGED:
        throw new TryRecvError('lagged', this.#lag);
      default:
        throw new TryRecvError('disconnected');
    }
  }

  /** A new receiver on the same channel, starting at the tail (sees only later values). */
  resubscribe(): BroadcastReceiver<T> {
    const s = this.#shared;
    s.rxCount++;
    return new BroadcastReceiver(s, s.tail);
  }

  /** Values sent that this receiver has yet to read (may exceed capacity when lagging). */
  len(): number {
    return this.#shared.tail - this.#next;
  }

  isEmpty(): boolean {
    return this.#shared.tail === this.#next;
  }

  /** Whether every sender has closed. */
  isClosed(): boolean {
    return this.#shared.closed;
  }

  /** Whether `other` receives from the same channel. */
  sameChannel(other: BroadcastReceiver<T>): boolean {
    return this.#shared === other.#shared;
  }

  /** Unsubscribe (Rust's drop): values it hadn't read are released. Idempotent. */
  close(): void {
    if (!this.#open) return;
    this.#open = false;
    const s = this.#shared;
    for (let pos = Math.max(this.#next, s.tail - s.capacity); pos < s.tail; pos++) {
      const slot = s.slots[pos & s.mask];
      if (slot !== undefined && slot.pos === pos && --slot.rem === 0) slot.value = undefined;
    }
    this.#next = s.tail;
    s.dropRx();
  }

  /** `close()`. */
  [Symbol.dispose](): void {
    this.close();
  }

  #isEmpty(): boolean {
    if (!this.#open) return false;
    const s = this.#shared;
    const slot = s.slots[this.#next & s.mask];
    return (slot === undefined || slot.pos + s.capacity === this.#next) && !s.closed;
  }

  /** Tokio's `recv_ref`: read the slot at our position, or say why not. */
  #poll(): number {
    if (!this.#open) return CLOSED;
    const s = this.#shared;
    const next = this.#next;
    const slot = s.slots[next & s.mask];
    if (slot === undefined || slot.pos !== next) {
      if (slot === undefined || slot.pos + s.capacity === next) return s.closed ? CLOSED : EMPTY;
      // Overwritten: skip to the oldest value still held.
      const oldest = s.tail - s.capacity;
      this.#lag = oldest - next;
      this.#next = oldest;
      return LAGGED;
    }
    this.#value = slot.value;
    this.#next = next + 1;
    if (--slot.rem === 0) slot.value = undefined;
    return VALUE;
  }
}

/**
 * A broadcast channel holding the last `capacity` values (rounded up to a power of two):
 * `[sender, receiver]`. Call `subscribe()` for more receivers.
 * Errors: RangeError (code ERR_OUT_OF_RANGE) unless 1 <= capacity <= 2^29, an integer.
 */
export function channel<T>(capacity: number): [BroadcastSender<T>, BroadcastReceiver<T>] {
  assertNumber(capacity, 'capacity', 1, true);
  if (capacity > MAX_CAPACITY)
    throw rangeError(`The value of "capacity" is out of range. It must be <= ${MAX_CAPACITY}. Received ${capacity}`);
  let cap = 1;
  while (cap < capacity) cap *= 2;
  const shared = new Shared<T>(cap);
  return [constructSender(shared), constructReceiver(shared, 0)];
}

export { BroadcastSender as Sender, BroadcastReceiver as Receiver };
