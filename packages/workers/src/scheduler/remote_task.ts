/**
 * The spawner's side of a task that runs on another thread: a core `Joinable`, so one
 * `JoinHandle` class serves local and cross-thread tasks alike.
 *
 * Tokio's JoinHandle reads the output from the task cell once the task's state says
 * COMPLETE and the waker fires. Here the output arrives in the spawner's mailbox; the
 * mailbox drain calls {@link RemoteTask.complete}, which wakes the joiner's {@link Waiter}
 * through its scheduler, so awaiting a cross-thread handle is a runtime await like any
 * other (counted, budgeted, cancel-safe). `abort()` settles the handle at once with a
 * cancelled JoinError and leaves telling the worker to the spawner (slot CAS or abort
 * notice), as Tokio's `abort` transitions the state word and wakes the task.
 */
import type { Logger } from 'pino';
import { JoinError, coop } from '@skein/core';
import { JoinWaiter, type Joinable, type Waiter } from '@skein/core/internal';

const PENDING = 0;
const OK = 1;
const FAILED = 2;

/** What a RemoteTask needs from the thread that spawned it. */
export interface RemoteSpawner {
  /** Stop the task: it is queued, running, or still waiting for a slot. */
  abortRemote(task: RemoteTask<unknown>): void;
  /** Someone waits for this task's outcome (+1), or no longer does (-1). */
  watch(delta: 1 | -1): void;
  readonly logger: Logger;
}

type Listener<T> = (ok: boolean, value: T | JoinError) => void;

/** A task spawned from this thread onto the workers. */
export class RemoteTask<T> implements Joinable<T> {
  readonly id: number;
  readonly name: string;
  /** Slot index while queued or running; -1 while waiting for a slot or its type name. */
  slot = -1;
  /** Spawner bookkeeping while the task waits for a slot (pending spawns). */
  pending: unknown = undefined;
  readonly #spawner: RemoteSpawner;
  #outcome = PENDING;
  #result: T | JoinError | undefined = undefined;
  #observed = false;
  #joiner: Waiter<T> | undefined = undefined;
  #listeners: Listener<T>[] | undefined = undefined;
  #watched = false;

  constructor(spawner: RemoteSpawner, id: number, name: string) {
    this.#spawner = spawner;
    this.id = id;
    this.name = name;
  }

  /** Abort; the handle rejects with a cancelled JoinError at once. No effect once finished. */
  abort(): void {
    if (this.#outcome !== PENDING) return;
    this.#spawner.abortRemote(this as RemoteTask<unknown>);
    this.complete(false, new JoinError('cancelled', this.id));
  }

  isFinished(): boolean {
    return this.#outcome !== PENDING;
  }

  markObserved(): void {
    this.#observed = true;
  }

  join(): Promise<T> {
    this.#observed = true;
    if (this.#outcome !== PENDING) {
      // A ready join still charges the cooperative budget, as core's LocalTask does.
      const c = coop();
      if (c !== undefined) return c.then(() => this.join());
      return this.#outcome === OK ? Promise.resolve(this.#result as T) : Promise.reject(this.#result);
    }
    const w = new JoinWaiter<T>(this);
    if (!w.pending) return w.promise;
    this.#watch();
    if (this.#joiner === undefined) this.#joiner = w;
    else this.onSettled((ok, v) => (ok ? w.wake(v as T) : w.fail(v)));
    return w.promise;
  }

  /** @internal A joiner was cancelled: it no longer waits. */
  dropJoiner(w: Waiter<T>): void {
    if (this.#joiner === w) this.#joiner = undefined;
  }

  onSettled(listener: Listener<T>): void {
    if (this.#outcome !== PENDING) {
      listener(this.#outcome === OK, this.#result as T | JoinError);
    } else {
      (this.#listeners ??= []).push(listener);
      this.#watch();
    }
  }

  /** A pending outcome someone waits for keeps the spawning thread alive (see the backend). */
  #watch(): void {
    if (this.#watched) return;
    this.#watched = true;
    this.#spawner.watch(1);
  }

  /** @internal The outcome arrived (or abort/shutdown decided it). Later calls are ignored. */
  complete(ok: boolean, value: T | JoinError): void {
    if (this.#outcome !== PENDING) return;
    this.#outcome = ok ? OK : FAILED;
    this.#result = value;
    if (this.#watched) this.#spawner.watch(-1);
    const j = this.#joiner;
    if (j !== undefined) {
      this.#joiner = undefined;
      if (ok) j.wake(value as T);
      else j.fail(value);
    }
    const ls = this.#listeners;
    if (ls !== undefined) {
      this.#listeners = undefined;
      for (const l of ls) l(ok, value);
    }
    if (!ok && !this.#observed && (value as JoinError).isPanic()) {
      setImmediate(() => {
        if (!this.#observed) {
          this.#spawner.logger.error({ taskId: this.id, task: this.name, err: (value as JoinError).cause },
            'task panicked and its JoinHandle was never awaited');
        }
      });
    }
  }
}
