/**
 * The shared state of one mpsc channel (Tokio's `mpsc::chan::Chan`), bounded or not.
 *
 * As in Tokio, a bounded channel's capacity *is* a {@link BatchSemaphore}: a sender takes a
 * permit before its value goes in, and the permit comes back only when the receiver takes
 * the value out. So `capacity()` counts buffered messages as used, a full channel makes
 * senders queue FIFO on the semaphore, and closing the receiver closes the semaphore,
 * which fails every waiting sender. The unbounded channel is the same code without the
 * semaphore.
 *
 * A value sent while the receiver waits is handed straight to it (no trip through the
 * buffer). It still holds its permit until the receiving task actually resumes (Tokio
 * frees it in `poll_recv`); if that task is cancelled in between, the value goes back to
 * the *front* of the buffer, so a cancelled `recv` loses and reorders nothing.
 *
 * `txCount` counts live senders and unused reserved permits (a permit keeps the channel
 * open, like Tokio's `OwnedPermit` holding a sender): the receiver sees the end once it
 * reaches 0 and the buffer is drained.
 */
import type { Waiter } from '../../task/waiter.js';
import { coop } from '../../task/yield_now.js';
import type { BatchSemaphore } from '../batch_semaphore.js';
import { Deque } from '../../util/deque.js';
import { EventWaiters } from '../event_waiters.js';
import { QueuedWaiter, WaitList } from '../wait_list.js';

/** A pending `recv`. */
export class RecvWaiter<T> extends QueuedWaiter<T | undefined> {
  /** True while it holds a message (not the end-of-stream wake). */
  handed = false;
  readonly chan: Chan<T>;

  constructor(chan: Chan<T>) {
    super(chan.onRecvCancel as (w: Waiter<T | undefined>, woken: boolean) => void);
    this.chan = chan;
  }

  override get waitLabel(): string {
    return 'mpsc.recv';
  }

  /** The message counts as received when the task resumes: only then its permit returns. */
  override run(): void {
    super.run();
    if (this.handed) {
      this.handed = false;
      this.chan.received();
    }
  }
}

/** State shared by the senders and the receiver of one channel. */
export class Chan<T> {
  readonly buffer: Deque<T>;
  /** Capacity of a bounded channel; undefined when unbounded. */
  readonly sem: BatchSemaphore | undefined;
  readonly capacity: number;
  /** Live senders plus unused reserved permits. */
  txCount = 1;
  rxClosed = false;
  readonly rxWaiters = new WaitList<RecvWaiter<T>>();
  /** Tasks in `Sender.closed()`. */
  readonly closedWaiters = new EventWaiters();

  constructor(sem: BatchSemaphore | undefined, capacity: number) {
    this.sem = sem;
    this.capacity = capacity;
    this.buffer = new Deque<T>(Math.min(capacity, 64));
  }

  /** Deliver a value whose permit (if bounded) is already taken. */
  push(v: T): void {
    const w = this.rxWaiters.popFront();
    if (w !== null) {
      w.handed = true;
      if (w.wake(v)) return;
      w.handed = false;
    }
    this.buffer.push(v);
  }

  /**
   * `n` messages left the channel: return their permits (FIFO to waiting senders). While
   * more are buffered the receiver will keep receiving, so a sender this unblocks resumes
   * after the next turn, by which time more room has freed up (see
   * `BatchSemaphore.releaseLazily`).
   */
  received(n = 1): void {
    const sem = this.sem;
    if (sem !== undefined) {
      if (this.buffer.length !== 0) sem.releaseLazily(n);
      else sem.release(n);
    }
    if (this.rxClosed) this.wakeIfEnded();
  }

  /** Nothing more will ever arrive: drained, and no sender (or, after close, no permit) left. */
  ended(): boolean {
    if (this.buffer.length !== 0) return false;
    if (this.txCount === 0) return true;
    const sem = this.sem;
    return this.rxClosed && (sem === undefined || sem.available() === this.capacity);
  }

  /** A sender (or an unused permit) went away. */
  dropTx(): void {
    if (--this.txCount === 0) this.wakeIfEnded();
  }

  /** The receiver closed: senders fail from now on; what is buffered stays receivable. */
  closeRx(): void {
    if (this.rxClosed) return;
    this.rxClosed = true;
    this.sem?.close();
    this.closedWaiters.wakeAll();
    this.wakeIfEnded();
  }

  /** Wake every pending `recv` with the end of the stream, if the channel has ended. */
  wakeIfEnded(): void {
    if (this.rxWaiters.isEmpty() || !this.ended()) return;
    for (const w of this.rxWaiters.takeAll()) w.wake(undefined);
  }

  /** `onCancel` of every RecvWaiter of this channel. */
  readonly onRecvCancel = (w: Waiter<T | undefined>, woken: boolean): void => {
    const rw = w as RecvWaiter<T>;
    if (!woken) {
      this.rxWaiters.remove(rw);
    } else if (rw.handed) {
      // Handed a value, cancelled before resuming: the value (with its permit) goes back in
      // front, or straight to the next waiting recv.
      rw.handed = false;
      const v = rw.value as T;
      const next = this.rxWaiters.popFront();
      if (next !== null) {
        next.handed = true;
        if (next.wake(v)) return;
        next.handed = false;
      }
      this.buffer.unshift(v);
    }
  };

  /** A sender's `closed()`: resolves once the receiver has closed. */
  whenRxClosed(): Promise<void> {
    if (!this.rxClosed) return this.closedWaiters.wait();
    // Ready: charged like every ready await (see `coop`).
    const c = coop();
    return c === undefined ? Promise.resolve() : c;
  }
}
