/**
 * Parks a task on a permit core: the bridge between a node in shared memory and core's
 * `Waiter`, which resumes the task through its scheduler (and its cooperative budget).
 *
 * One `waitAsync` per thread and primitive, not per task: V8 keeps async waiters in one
 * list that every notify walks, so a thousand parked tasks each on its own word made every
 * hand-off cost a thousand steps (measured: 2.8 k acquires/s with 1000 waiters, 100 k/s
 * with 16). A thread's waiters on a primitive sit in a local FIFO list (core's
 * `WaitList`) and share the thread's doorbell entry in the primitive's buffer; a release
 * rings it once for all the waiters it granted there. Grants follow the shared FIFO order,
 * which is also the local order, so the thread finds them as a prefix of its list.
 *
 * Cancellation follows core's protocol (`onCancel(woken)`), so a cancelled acquire never
 * leaks a permit.
 */
import { QueuedWaiter, WaitList, type OnCancel, type Waiter } from '@skein/core/internal';
import { GRANTED, WAITING } from './node_queue.js';
import { type PermitCore, REFUSED, SLAB_FULL, TAKEN } from './permit_core.js';

/**
 * A pending waitAsync doesn't keep a Node thread alive; a task parked on a primitive that
 * another thread will release must, so the process doesn't exit under it. One ref'd timer
 * while anything waits: {@link holdThread} when a wait starts, {@link letThreadGo} when it ends.
 */
let parked = 0;
/**
 * Made once and ref'd / unref'd: a channel's receiver parks every time it drains the ring,
 * and creating and clearing a timer each time cost more than toggling its ref.
 */
let keepAlive: ReturnType<typeof setInterval> | undefined;

export function holdThread(): void {
  if (parked++ !== 0) return;
  if (keepAlive === undefined) keepAlive = setInterval(() => {}, 1 << 30);
  else keepAlive.ref();
}

export function letThreadGo(): void {
  if (--parked === 0) keepAlive!.unref();
}

const NO_NODE = -1;
const OVERFLOW = -2;

/** A queued acquire of `n` permits that resolves with `make()` once granted. */
class CoreWaiter<V> extends QueuedWaiter<V> {
  readonly watcher: Watcher;
  readonly n: number;
  readonly make: () => V;
  readonly closedError: () => unknown;
  /** The node queued for it; {@link NO_NODE}, or {@link OVERFLOW} while it waits for a free node. */
  node = NO_NODE;

  constructor(watcher: Watcher, n: number, make: () => V, closedError: () => unknown) {
    super(watcher.onCancel as OnCancel<V>);
    this.watcher = watcher;
    this.n = n;
    this.make = make;
    this.closedError = closedError;
  }
}

/** This thread's waiters on one permit core, and the doorbell they share. */
class Watcher {
  readonly core: PermitCore;
  /** Doorbell entry; -1 when the table was full (then each waiter watches its node). */
  readonly slot: number;
  readonly list = new WaitList<CoreWaiter<unknown>>();
  /** Waiters that found every node in use, in arrival order; one wait on SLAB_GEN for all. */
  readonly overflow = new WaitList<CoreWaiter<unknown>>();
  /** A waitAsync on the doorbell is outstanding (it may outlive the waiters it was for). */
  #bellPending = false;
  /** holdThread() is in force: exactly while `list` is non-empty. */
  #held = false;
  #waitingForSlab = false;

  constructor(core: PermitCore) {
    this.core = core;
    this.slot = core.threads.claim();
  }

  /** A release on this thread granted some of our waiters: wake them now. */
  ringHere(): void {
    this.#wakeGranted();
    this.#updateHold();
  }

  #updateHold(): void {
    if (this.list.isEmpty()) {
      if (this.#held) {
        this.#held = false;
        letThreadGo();
      }
      // Nothing of ours is queued: forget this primitive here (a stale doorbell wait is harmless).
      const id = this.core.id();
      if (this.overflow.isEmpty() && !this.#waitingForSlab && watchers.get(id) === this) watchers.delete(id);
    } else if (!this.#held) {
      this.#held = true;
      holdThread();
    }
  }

  /** Takes or queues `w`'s permits, or parks it in `overflow` while every node is in use. */
  attempt(w: CoreWaiter<unknown>): void {
    // Arrival order: behind the ones already waiting for a node.
    if (!this.overflow.isEmpty() || !this.#tryQueue(w)) {
      w.node = OVERFLOW;
      this.overflow.pushBack(w);
      this.#waitForSlab();
    }
  }

  /** false (touching nothing) when every node is in use. */
  #tryQueue(w: CoreWaiter<unknown>): boolean {
    const core = this.core;
    const r = core.acquire(w.n, this.slot);
    if (r === SLAB_FULL) return false;
    if (r === TAKEN) {
      w.node = NO_NODE;
      w.wake(w.make());
    } else if (r === REFUSED) {
      w.node = NO_NODE;
      w.fail(w.closedError());
    } else {
      w.node = r;
      if (this.slot < 0) {
        holdThread();
        void core.queue.changed(r).then(() => this.#watchNode(w, r));
      } else {
        this.list.pushBack(w);
        this.#updateHold();
        if (!this.#bellPending) this.#scan();
      }
    }
    return true;
  }

  /** One wait on SLAB_GEN for every overflowed waiter of this thread; retries them in order. */
  #waitForSlab(): void {
    if (this.#waitingForSlab) return;
    this.#waitingForSlab = true;
    holdThread();
    void this.core.queue.slabChanged(this.core.fullGeneration).then(() => {
      this.#waitingForSlab = false;
      letThreadGo();
      for (let w = this.overflow.popFront(); w !== null; w = this.overflow.popFront()) {
        if (!this.#tryQueue(w)) {
          this.overflow.pushFront(w);
          this.#waitForSlab();
          return;
        }
      }
    });
  }

  /** Wakes the granted prefix of the list, then waits for the doorbell while anyone is left. */
  readonly #scan = (): void => {
    this.#bellPending = false;
    this.core.threads.reset(this.slot);
    this.#wakeGranted();
    this.#updateHold();
    if (this.list.isEmpty()) return;
    this.#bellPending = true;
    void this.core.threads.wait(this.slot).then(this.#scan);
  };

  #wakeGranted(): void {
    for (let w = this.list.front(); w !== null; w = this.list.front()) {
      const s = this.core.queue.state(w.node);
      if (s === WAITING) break;
      this.list.popFront();
      this.#settle(w, s);
    }
  }

  #watchNode(w: CoreWaiter<unknown>, node: number): void {
    if (w.node !== node) return; // cancelled; the node is no longer ours
    const s = this.core.queue.state(node);
    if (s === WAITING) {
      void this.core.queue.changed(node).then(() => this.#watchNode(w, node));
      return;
    }
    letThreadGo();
    this.#settle(w, s);
  }

  #settle(w: CoreWaiter<unknown>, state: number): void {
    const node = w.node;
    w.node = NO_NODE;
    this.core.finish(node);
    if (state === GRANTED) w.wake(w.make());
    else w.fail(w.closedError());
  }

  /** The `onCancel` of this watcher's waiters: see core's `Waiter` protocol. */
  readonly onCancel = (waiter: Waiter<unknown>, woken: boolean): void => {
    const w = waiter as CoreWaiter<unknown>;
    if (woken) {
      // Granted and handed over, but the task was cancelled before it resumed: hand on.
      this.core.release(w.n);
      return;
    }
    const node = w.node;
    if (node === OVERFLOW) {
      this.overflow.remove(w); // not queued yet: nothing to undo
      w.node = NO_NODE;
      return;
    }
    if (node < 0) return;
    w.node = NO_NODE;
    if (this.slot < 0) {
      letThreadGo();
    } else {
      this.list.remove(w);
      this.#updateHold();
    }
    this.core.cancel(node);
  };
}

/**
 * One watcher per primitive per thread, whichever handle (a task may receive its own copy)
 * waits: they share the thread's doorbell entry, so they must share its waiter list.
 */
const watchers = new Map<number, Watcher>();

function watcherOf(core: PermitCore): Watcher {
  let w = watchers.get(core.id());
  if (w === undefined) {
    w = new Watcher(core);
    watchers.set(core.id(), w);
  }
  if (core.localBell === undefined && w.slot >= 0) {
    const id = core.id();
    core.localBell = { slot: w.slot, ring: () => watchers.get(id)?.ringHere() };
  }
  return w;
}

/**
 * Acquire `n` permits of `core` for the current task: resolves with `make()` once they are
 * its, rejects with `closedError()` if the core is or becomes closed, and with `Cancelled`
 * if the task is cancelled (giving back whatever was assigned).
 */
export function acquireAsync<V>(core: PermitCore, n: number, make: () => V, closedError: () => unknown): Promise<V> {
  if (core.tryTake(n)) return Promise.resolve(make());
  const watcher = watcherOf(core);
  const w = new CoreWaiter(watcher, n, make, closedError);
  watcher.attempt(w as CoreWaiter<unknown>);
  return w.promise;
}

/**
 * Acquire `n` permits of `core`, blocking the thread (`Atomics.wait`) until they are free.
 * For blocking-pool code, which has no event loop to yield to. Returns false if the core is
 * or becomes closed.
 */
export function acquireBlocking(core: PermitCore, n: number): boolean {
  for (;;) {
    const r = core.acquire(n);
    if (r === TAKEN) return true;
    if (r === REFUSED) return false;
    if (r === SLAB_FULL) {
      core.queue.slabChangedSync(core.fullGeneration);
      continue;
    }
    const s = core.queue.waitSync(r);
    core.finish(r);
    return s === GRANTED;
  }
}
