/**
 * The spawner's side of a task that runs on another thread: a core `ExternalTask`, so one
 * `JoinHandle` class and one outcome serve local and cross-thread tasks alike.
 *
 * Tokio's JoinHandle reads the output from the task cell once the task's state says
 * COMPLETE and the waker fires. Here the output arrives in the spawner's mailbox; the
 * mailbox drain calls `settle`, which wakes the joiner's waiter through its scheduler, so
 * awaiting a cross-thread handle is a runtime await like any other (counted, budgeted,
 * cancel-safe). `abort()` settles the handle at once with a cancelled JoinError and leaves
 * telling the worker to its {@link RemoteControl} (slot CAS or abort notice), as Tokio's
 * `abort` transitions the state word and wakes the task. The task never calls the object
 * that spawned it: spawning, stopping and settling are three one-way legs.
 */
import type { Logger } from 'pino';
import { ExternalTask } from '@skein/core/internal';
import type { PendingSpawn } from './pending_spawn.js';

/** What a RemoteTask needs from the thread that spawned it. */
export interface RemoteControl {
  /** Stop the task: it is queued, running, or still waiting for a slot. */
  abortRemote(task: RemoteTask<unknown>): void;
  /** Someone waits for this task's outcome (+1), or no longer does (-1). */
  watch(delta: 1 | -1): void;
  readonly logger: Logger;
}

/** A task spawned from this thread onto the workers. */
export class RemoteTask<T> extends ExternalTask<T> {
  /** Slot index while queued or running; -1 while waiting for a slot or its type name. */
  slot = -1;
  /** While the task waits for a slot or its type's export name: that spawn. */
  pending: PendingSpawn | undefined = undefined;
  readonly #control: RemoteControl;

  constructor(control: RemoteControl, id: number, name: string) {
    super(id, name, control.logger);
    this.#control = control;
  }

  protected onAbort(): void {
    this.#control.abortRemote(this as RemoteTask<unknown>);
  }

  /** A pending outcome someone waits for keeps the spawning thread alive (see the backend). */
  protected override onWaiting(delta: 1 | -1): void {
    this.#control.watch(delta);
  }
}
