/**
 * Parks a task on a permit core: the bridge between a node in shared memory and core's
 * `Waiter`, which resumes the task through its scheduler (and its cooperative budget).
 *
 * The thread keeps running its event loop: the node's STATE word is watched with
 * `Atomics.waitAsync`. When the releasing thread writes GRANTED (or CLOSED) and notifies,
 * this thread frees the node and wakes the waiter. Cancellation follows core's protocol
 * (`onCancel(woken)`), so a cancelled acquire never leaks a permit.
 */
import { Waiter } from '@skein/core/internal';
import { GRANTED, PermitCore, REFUSED, SLAB_FULL, TAKEN, WAITING } from './permit_core.js';

/**
 * A pending waitAsync doesn't keep a Node thread alive; a task parked on a primitive that
 * another thread will release must, so the process doesn't exit under it. One ref'd timer
 * while anything waits: {@link holdThread} when a wait starts, {@link letThreadGo} when it ends.
 */
let parked = 0;
let keepAlive: ReturnType<typeof setInterval> | undefined;

export function holdThread(): void {
  if (parked++ === 0) keepAlive = setInterval(() => {}, 1 << 30);
}

export function letThreadGo(): void {
  if (--parked === 0) {
    clearInterval(keepAlive);
    keepAlive = undefined;
  }
}

/** A queued acquire of `n` permits that resolves with `make()` once granted. */
class CoreWaiter<V> extends Waiter<V> {
  readonly core: PermitCore;
  readonly n: number;
  readonly make: () => V;
  readonly closedError: () => unknown;
  /** The node queued for it, -1 when none. */
  node = -1;

  constructor(core: PermitCore, n: number, make: () => V, closedError: () => unknown) {
    super();
    this.core = core;
    this.n = n;
    this.make = make;
    this.closedError = closedError;
  }

  protected override onCancel(woken: boolean): void {
    if (woken) {
      // Granted and handed over, but the task was cancelled before it resumed: hand on.
      this.core.release(this.n);
      return;
    }
    const node = this.node;
    if (node >= 0) {
      this.node = -1;
      letThreadGo();
      this.core.cancel(node);
    }
  }
}

function attempt<V>(w: CoreWaiter<V>): void {
  if (!w.pending) return;
  const core = w.core;
  const r = core.acquire(w.n);
  if (r === TAKEN) {
    w.wake(w.make());
  } else if (r === REFUSED) {
    w.fail(w.closedError());
  } else if (r === SLAB_FULL) {
    // Every node is in use: wait for one to be freed, then queue (FIFO among queued nodes).
    holdThread();
    void core.slabChanged(core.fullGeneration).then(() => {
      letThreadGo();
      attempt(w);
    });
  } else {
    w.node = r;
    holdThread();
    void core.changed(r).then(() => watch(w, r));
  }
}

function watch<V>(w: CoreWaiter<V>, node: number): void {
  if (w.node !== node) return; // cancelled; the node is no longer ours
  const core = w.core;
  const s = core.state(node);
  if (s === WAITING) {
    void core.changed(node).then(() => watch(w, node));
    return;
  }
  w.node = -1;
  letThreadGo();
  core.finish(node);
  if (s === GRANTED) w.wake(w.make());
  else w.fail(w.closedError());
}

/**
 * Acquire `n` permits of `core` for the current task: resolves with `make()` once they are
 * its, rejects with `closedError()` if the core is or becomes closed, and with `Cancelled`
 * if the task is cancelled (giving back whatever was assigned).
 */
export function acquireAsync<V>(core: PermitCore, n: number, make: () => V, closedError: () => unknown): Promise<V> {
  const w = new CoreWaiter(core, n, make, closedError);
  attempt(w);
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
      core.slabChangedSync(core.fullGeneration);
      continue;
    }
    const s = core.waitSync(r);
    core.finish(r);
    return s === GRANTED;
  }
}
