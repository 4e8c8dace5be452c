/**
 * The main thread's hot path to and from the workers: batched spawns, batched completions.
 *
 * DESIGN.md: batching and not waking sleeping threads are what make it fast.
 * - {@link InjectBatcher}: `spawn()` on the main thread appends the slot reference to a
 *   local batch; batches enter the inject queue under one lock, and at most one parked
 *   worker is woken per batch (Tokio's `notify_parked_remote`; the woken
 *   worker, as the last searcher to find work, wakes the next, so a burst wakes as many
 *   workers as it keeps busy and no more).
 * - {@link CompletionPump}: completions arrive in the main mailbox. While results keep
 *   coming, the pump drains once per event-loop turn (`setImmediate`), so producers never
 *   pay a wake-up; only when a drain finds nothing does it sleep on the doorbell with one
 *   `Atomics.waitAsync` (one per thread, not one per handle). It sleeps there even with
 *   nothing in flight, so a spawn never has to tell it to listen: a pending waitAsync
 *   costs nothing and doesn't keep the process alive.
 */
import type { SharedLayout } from '../shared/layout.js';
import type { Mailbox } from '../shared/mailbox.js';
import type { Settler } from '../scheduler/settler.js';
import type { SharedState } from '../scheduler/shared_state.js';

/** Spawns after which a batch is flushed without waiting for the turn to end. */
const EAGER = 64;
const BATCH = EAGER;

/** Batches main-thread spawns into the inject queue. */
export class InjectBatcher {
  readonly #sh: SharedState;
  readonly #layout: SharedLayout;
  readonly #batch = new Int32Array(BATCH);
  #n = 0;
  #queued = false;

  constructor(sh: SharedState) {
    this.#sh = sh;
    this.#layout = sh.layout;
  }

  /** Slot references not yet in the inject queue. */
  get pending(): number {
    return this.#n;
  }

  /**
   * Queue a slot reference. The batch goes to the inject queue every {@link EAGER} spawns,
   * and whatever is left at the end of the event-loop turn (`setImmediate`): spawns made
   * one per microtask (a task that spawns and awaits in a loop) still share one lock and
   * one wake-up check per batch, and a burst is visible to awake workers long before its
   * end. (A microtask per batch costs more than it saves: on Node 20 every
   * promise pays for the promise hooks that carry the task context.)
   */
  readonly submit = (ref: number): void => {
    this.#batch[this.#n++] = ref;
    if (this.#n >= EAGER) this.flush();
    else if (!this.#queued) {
      this.#queued = true;
      setImmediate(this.#onTurn);
    }
  };

  readonly #onTurn = (): void => {
    this.#queued = false;
    this.flush();
  };

  /** Move the batch into the inject queue and wake a parked worker if nobody searches. */
  flush(): void {
    if (this.#n === 0) return;
    // The inject queue holds one entry per slot in the runtime, so this can't be full.
    this.#layout.inject.pushBatch(this.#batch, 0, this.#n);
    this.#n = 0;
    this.#sh.wakeOne();
  }
}

/** Drains the main thread's completion mailbox into its Settler, from construction to {@link close}. */
export class CompletionPump {
  readonly #settler: Settler;
  readonly #mailbox: Mailbox;
  #closed = false;

  constructor(settler: Settler, mailbox: Mailbox) {
    this.#settler = settler;
    this.#mailbox = mailbox;
    this.#arm();
  }

  /** Settle what has arrived, then stop for good (the runtime is closing). */
  close(): void {
    if (this.#closed) return;
    this.#settler.drain();
    this.#closed = true;
    // Release the pending wait (the signal is otherwise unused on the main thread).
    this.#mailbox.signal();
  }

  #arm(): void {
    this.#mailbox.waitAsync().then(this.#poll, this.#poll);
  }

  readonly #poll = (): void => {
    if (this.#closed) return;
    if (this.#settler.drain() > 0) setImmediate(this.#poll);
    else this.#arm();
  };
}
