/**
 * The batch semaphore: the permit counter and FIFO queue that Semaphore, Mutex, RwLock,
 * OnceCell and the bounded mpsc channel are all built on, exactly as in Tokio
 * (`sync/batch_semaphore.rs`).
 *
 * Why one core: fairness and cancellation are the hard parts, and Tokio gets them right
 * once. Its rules, kept here:
 *
 * - **Strict FIFO, in permits.** A waiter at the head that needs 5 permits when 4 are free
 *   takes those 4 now and waits for one more; the counter stays at 0, so a later
 *   `acquire(3)` queues behind it instead of overtaking. Invariant: *while anyone waits,
 *   the free counter is 0.* That makes the fast path a single comparison (no queue check),
 *   and it is what makes RwLock write-preferring: a queued writer (which asks for every
 *   reader permit) holds back every reader that arrives after it.
 * - **Releases go to waiters first**, front to back, a waiter being woken once it has all
 *   it asked for; only what is left returns to the counter.
 * - **Cancellation gives back what was assigned.** A waiter cancelled while queued leaves
 *   the queue and releases the permits already assigned to it (which may complete the
 *   next waiter). A waiter cancelled after it was granted everything, but before its task
 *   resumed, releases all of them: a timeout never leaks a permit or wedges a lock.
 * - **Closing** fails every waiter (returning what they had been assigned to the counter)
 *   and every later acquire.
 *
 * The counter fits a 32-bit word ({@link MAX_PERMITS} is Tokio's bound on 32-bit
 * targets), so a shared-memory version can keep it in an `Int32Array`.
 */
import { AcquireError } from '../errors/sync_errors.js';
import { rangeError } from '../errors/invalid_argument.js';
import { Rejection } from '../task/rejection.js';
import type { OnCancel } from '../task/waiter.js';
import { QueuedWaiter, WaitList } from './wait_list.js';
import { currentTask, noteAcquired, noteReleased, noteWaiting, resourceTracking } from '../task/resource_tracking.js';

/** Most permits a semaphore can hold (Tokio's `MAX_PERMITS` on 32-bit targets: 2^29 - 1). */
export const MAX_PERMITS = 0x1fffffff;

/**
 * A queued acquire. `result` is what the task receives once granted (a guard, a permit,
 * nothing); subclasses change what a closed semaphore fails it with, or act when granted.
 */
export class AcquireWaiter<V> extends QueuedWaiter<V> {
  /** Permits asked for. */
  requested = 0;
  /** Permits still missing; `requested - remaining` are assigned and must go back on cancel. */
  remaining = 0;
  /** The value the await resolves with once every permit is assigned. */
  result: V;

  constructor(sem: BatchSemaphore, result: V) {
    super(sem.onCancel as OnCancel<V>);
    this.result = result;
  }

  /**
   * For the `run` of a waiter whose semaphore can close (`sem`, its own), before
   * `super.run()`: a semaphore closed after the grant but before the task resumed still
   * fails the acquire and takes its permits back, as Tokio's `Acquire::poll` checks for
   * closing first and dropping the acquire returns what it had been assigned. A method
   * rather than a `run` override with a `sem` field: the mpsc send path measured 20-40%
   * slower with those.
   */
  protected failIfClosedSinceGrant(sem: BatchSemaphore): void {
    // Every granted send, reserve and acquire resumes through here; the semaphore is almost
    // never closed, so that is asked first and the common case costs one check.
    if (
      sem.isClosed() &&
      this.remaining === 0 &&
      this.requested !== 0 &&
      this.value === this.result &&
      (this.scope === undefined || !this.scope.cancelled)
    ) {
      this.value = new Rejection(this.closedError()) as V;
      sem.release(this.requested);
    }
  }

  /** The error a closed semaphore fails this waiter with. */
  closedError(): unknown {
    return new AcquireError();
  }
}

/**
 * A grant whose wake-up waits for the next event-loop turn (see `releaseLazily`). While it
 * waits the waiter is still pending with every permit assigned, so a cancellation in
 * between goes through `onCancel(w, false)`, which returns them.
 */
class DeferredWake {
  readonly #sem: BatchSemaphore;
  readonly #w: AcquireWaiter<unknown>;

  constructor(sem: BatchSemaphore, w: AcquireWaiter<unknown>) {
    this.#sem = sem;
    this.#w = w;
  }

  wake(): boolean {
    this.#sem.deferredWakeRan();
    return this.#w.wake(this.#w.result);
  }
}

/** Tokio's `batch_semaphore::Semaphore`: see the module comment. */
export class BatchSemaphore {
  #permits: number;
  #closed = false;
  /** Grants whose wake-up is deferred to the next turn and hasn't run yet. */
  #deferred = 0;
  readonly #waiters = new WaitList<AcquireWaiter<unknown>>();
  /**
   * What task tracking calls it ('Mutex', 'RwLock', 'Semaphore'); '' for a semaphore whose
   * permits aren't held by anyone in particular (a channel's capacity), which it skips.
   */
  readonly kind: string;

  constructor(permits: number, kind = '') {
    this.#permits = permits;
    this.kind = kind;
  }

  /** Free permits (0 while anyone is queued). */
  available(): number {
    return this.#permits;
  }

  isClosed(): boolean {
    return this.#closed;
  }

  /** Queued acquires. */
  waiterCount(): number {
    return this.#waiters.size;
  }

  /**
   * Take `n` permits if they are free now (the fast path). FIFO needs no queue check: a
   * non-empty queue means the counter is 0.
   */
  tryTake(n: number): boolean {
    if (this.#permits >= n && !this.#closed) {
      this.#permits -= n;
      if (resourceTracking.active !== 0 && this.kind !== '') noteAcquired(this, this.kind, currentTask(), n);
      return true;
    }
    return false;
  }

  /**
   * Queue `w` for `n` permits (the caller found too few free, or chose to wait). Takes what
   * is free now toward `n`. Resolves with `w.result` when granted; fails with
   * `w.closedError()` if the semaphore is or becomes closed.
   */
  wait<V>(w: AcquireWaiter<V>, n: number): Promise<V> {
    if (!w.pending) return w.promise;
    if (this.#closed) {
      w.fail(w.closedError());
      return w.promise;
    }
    const take = Math.min(this.#permits, n);
    this.#permits -= take;
    w.requested = n;
    w.remaining = n - take;
    if (w.remaining === 0) {
      this.#granted(w as AcquireWaiter<unknown>);
      w.wake(w.result);
    } else {
      this.#waiters.pushBack(w as AcquireWaiter<unknown>);
      if (resourceTracking.active !== 0 && this.kind !== '') noteWaiting(this, this.kind, w.task);
    }
    return w.promise;
  }

  /** Return `n` permits: to the queue first (FIFO), the rest to the counter. */
  release(n: number): void {
    if (resourceTracking.active !== 0 && this.kind !== '') noteReleased(this, n);
    this.#release(n, false);
  }

  /**
   * `release`, but a waiter it completes resumes only after the next event-loop turn
   * (its permits are assigned now, so FIFO and the counts are exact). For a caller that
   * will keep going (a receiver with more values buffered): it runs on, freeing more
   * capacity, and the woken senders then find room for several sends per wake-up instead
   * of one, the batching Tokio gets from a task polling until its budget runs out.
   */
  releaseLazily(n: number): void {
    if (resourceTracking.active !== 0 && this.kind !== '') noteReleased(this, n);
    this.#release(n, true);
  }

  #release(n: number, lazy: boolean): void {
    if (n <= 0) return;
    const waiters = this.#waiters;
    while (n > 0) {
      const w = waiters.front();
      if (w === null) break;
      if (w.remaining > n) {
        w.remaining -= n;
        return;
      }
      n -= w.remaining;
      w.remaining = 0;
      waiters.popFront();
      this.#granted(w);
      // A queued waiter is always pending (cancellation unlinks it first); if that ever
      // fails, its grant must not be lost.
      if (!this.#wake(w, lazy)) n += w.requested;
    }
    this.#permits += n;
  }

  /** Every permit `w` asked for is assigned: with tracking, its task holds them from now. */
  #granted(w: AcquireWaiter<unknown>): void {
    if (resourceTracking.active !== 0 && this.kind !== '') noteAcquired(this, this.kind, w.task, w.requested);
  }

  #wake(w: AcquireWaiter<unknown>, lazy: boolean): boolean {
    // Once one wake-up is deferred, later ones are too until it has run, so waiters still
    // resume in the order they were granted.
    const task = w.task;
    if ((lazy || this.#deferred > 0) && task !== undefined) {
      this.#deferred++;
      task.scheduler.defer(new DeferredWake(this, w));
      return true;
    }
    return w.wake(w.result);
  }

  /** @internal A deferred wake-up ran (the waiter may have been cancelled meanwhile). */
  deferredWakeRan(): void {
    this.#deferred--;
  }

  /** `release`, refusing to grow the counter past {@link MAX_PERMITS} (`addPermits`). */
  add(n: number): void {
    if (this.#permits + n > MAX_PERMITS) {
      throw rangeError(
        `a semaphore can hold at most ${MAX_PERMITS} permits; adding ${n} to ${this.#permits} would exceed it`,
      );
    }
    // New permits, not ones a task gives back.
    this.#release(n, false);
  }

  /** Remove up to `n` free permits for good; returns how many were removed. */
  forget(n: number): number {
    const k = Math.min(n, this.#permits);
    this.#permits -= k;
    return k;
  }

  /** Fail every waiter and every later acquire. Permits held stay valid and may be released. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const w of this.#waiters.takeAll()) {
      this.#permits += w.requested - w.remaining;
      w.fail(w.closedError());
    }
  }

  /**
   * The `onCancel` every waiter of this semaphore is built with (one closure per
   * semaphore, not per wait).
   */
  readonly onCancel: OnCancel<unknown> = (w, woken) => {
    const aw = w as AcquireWaiter<unknown>;
    if (woken) {
      if (resourceTracking.active !== 0 && this.kind !== '') noteReleased(this, aw.requested, aw.task);
      this.#release(aw.requested, false);
    } else {
      this.#waiters.remove(aw);
      const assigned = aw.requested - aw.remaining;
      aw.remaining = aw.requested;
      // Assigned but never granted: no task held them.
      this.#release(assigned, false);
    }
  };
}
