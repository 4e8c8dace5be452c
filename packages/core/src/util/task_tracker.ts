/**
 * `TaskTracker` (tokio-util): counts tasks so a caller can wait for all of them once it has
 * stopped adding more (`close()` then `wait()`). Unlike JoinSet it keeps no outcomes: a
 * tracked task's value and errors stay with its own JoinHandle.
 */
import type { JoinHandle } from '../task/join_handle.js';
import { spawn, spawnBlocking, spawnLocal } from '../task/spawn.js';
import type { TaskDef } from '../task/task_def.js';
import { CallbackWaiter, type Waiter } from '../task/waiter.js';
import { coop } from '../task/yield_now.js';

/** Waits for a group of tasks to finish. */
export class TaskTracker {
  #count = 0;
  #closed = false;
  #waiters = new Set<Waiter<void>>();

  /** Spawn a task definition or closure and track it. */
  spawn<A extends unknown[], R>(t: TaskDef<A, R>, ...args: A): JoinHandle<R>;
  spawn<R>(fn: () => R | PromiseLike<R>): JoinHandle<Awaited<R>>;
  spawn(t: never, ...args: never[]): JoinHandle<unknown> {
    return this.#track(spawn(t, ...args));
  }

  /** Spawn a closure on the current thread and track it. */
  spawnLocal<R>(fn: () => R | PromiseLike<R>): JoinHandle<Awaited<R>> {
    return this.#track(spawnLocal(fn));
  }

  /** Spawn on the blocking pool and track it. */
  spawnBlocking<A extends unknown[], R>(t: TaskDef<A, R>, ...args: A): JoinHandle<R> {
    return this.#track(spawnBlocking(t, ...args));
  }

  /** Track any promise until it settles. */
  track<T>(p: PromiseLike<T>): PromiseLike<T> {
    this.#count++;
    const done = (): void => this.#release();
    Promise.resolve(p).then(done, done);
    return p;
  }

  /** Stop expecting new tasks: `wait()` can now resolve. Tasks may still be added. */
  close(): boolean {
    const was = this.#closed;
    this.#closed = true;
    this.#notify();
    return !was;
  }

  /** Reopen a closed tracker. */
  reopen(): boolean {
    const was = this.#closed;
    this.#closed = false;
    return was;
  }

  isClosed(): boolean {
    return this.#closed;
  }

  /** Tracked tasks still running. */
  get size(): number {
    return this.#count;
  }

  isEmpty(): boolean {
    return this.#count === 0;
  }

  /** Resolves once the tracker is closed and empty. Cancel safety: cancel-safe. */
  wait(): Promise<void> {
    // Ready at once is still a runtime await (budget, cancellation); see CancellationToken.
    if (this.#closed && this.#count === 0) return coop() ?? Promise.resolve();
    const w = new CallbackWaiter<void>((x) => {
      this.#waiters.delete(x);
    });
    if (w.pending) this.#waiters.add(w);
    return w.promise;
  }

  #track<H extends JoinHandle<unknown>>(h: H): H {
    this.#count++;
    h.target.onSettled(() => this.#release());
    return h;
  }

  #release(): void {
    this.#count--;
    this.#notify();
  }

  #notify(): void {
    if (!this.#closed || this.#count !== 0) return;
    for (const w of this.#waiters) w.wake(undefined);
    this.#waiters.clear();
  }
}
