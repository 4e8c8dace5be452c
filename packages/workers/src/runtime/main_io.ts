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
 *   `Atomics.waitAsync` (one per thread, not one per handle).
 */
import type { SharedLayout } from '../shared/layout.js';
import type { Mailbox } from '../shared/mailbox.js';
import type { SharedState } from '../scheduler/shared_state.js';
import type { Spawner } from '../scheduler/spawner.js';

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

/** Drains the main thread's completion mailbox. */
export class CompletionPump {
  readonly #spawner: Spawner;
  readonly #mailbox: Mailbox;
  #armed = false;
  #polling = false;
  #closed = false;

  constructor(spawner: Spawner, mailbox: Mailbox) {
    this.#spawner = spawner;
    this.#mailbox = mailbox;
  }

  /** Tasks are in flight: make sure a drain is coming. */
  kick(): void {
    if (!this.#armed && !this.#polling && !this.#closed) this.#arm();
  }

  close(): void {
    this.#closed = true;
  }

  #arm(): void {
    this.#armed = true;
    this.#mailbox.waitAsync().then(this.#onWake, this.#onWake);
  }

  readonly #onWake = (): void => {
    this.#armed = false;
    this.#poll();
  };

  readonly #onPoll = (): void => {
    this.#polling = false;
    this.#poll();
  };

  #poll(): void {
    if (this.#closed) return;
    if (this.#spawner.drain() > 0) {
      this.#polling = true;
      setImmediate(this.#onPoll);
    } else if (this.#spawner.inFlight > 0) {
      this.#arm();
    }
  }
}
