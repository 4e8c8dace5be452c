/**
 * `JoinSet`: a collection of spawned tasks, joined in completion order (Tokio's JoinSet).
 *
 * The set observes its tasks, so a panic inside one is reported by `joinNext`, not logged
 * as unawaited. Waiting in `joinNext` is a runtime await: cancel-safe (a cancelled
 * `joinNext` consumes nothing, and a wake it received passes to the next waiter).
 */
import { Deque } from '../util/deque.js';
import type { JoinError } from '../errors/join_error.js';
import { abortHandleOf, type AbortHandle } from './join_handle.js';
import type { Joinable } from './joinable.js';
import { startSpawn, startSpawnBlocking, startSpawnLocal } from './spawn.js';
import type { TaskDef } from './task_def.js';
import { CallbackWaiter, type Waiter } from './waiter.js';
import { coop } from './yield_now.js';

interface Done<T> {
  readonly target: Joinable<T>;
  readonly ok: boolean;
  readonly value: T | JoinError;
}

/** A set of tasks whose outcomes are collected as they finish. */
export class JoinSet<T> implements AsyncIterable<T>, AsyncDisposable {
  readonly #entries = new Set<Joinable<T>>();
  readonly #done = new Deque<Done<T>>();
  #waiters: Waiter<void>[] = [];

  /** Spawn a task definition or closure into the set (see `spawn`). */
  spawn<A extends unknown[]>(t: TaskDef<A, T>, ...args: A): AbortHandle;
  spawn(fn: () => T | PromiseLike<T>): AbortHandle;
  spawn(t: never, ...args: never[]): AbortHandle {
    return this.#add(startSpawn(t, args) as Joinable<T>);
  }

  /** Spawn a closure on the current thread into the set. */
  spawnLocal(fn: () => T | PromiseLike<T>): AbortHandle {
    return this.#add(startSpawnLocal(fn));
  }

  /** Spawn a task definition on the blocking pool into the set. */
  spawnBlocking<A extends unknown[]>(t: TaskDef<A, T>, ...args: A): AbortHandle {
    return this.#add(startSpawnBlocking(t, args));
  }

  /** Tasks in the set, finished-but-unjoined ones included. */
  get size(): number {
    return this.#entries.size;
  }

  isEmpty(): boolean {
    return this.#entries.size === 0;
  }

  /**
   * The next task to finish: its value, or undefined when the set is empty.
   * Errors: JoinError for a task that threw or was aborted (it leaves the set).
   * Cancel safety: cancel-safe.
   */
  async joinNext(): Promise<T | undefined> {
    const d = await this.#next();
    if (d === undefined) return undefined;
    if (!d.ok) throw d.value;
    return d.value as T;
  }

  /** A finished task's value without waiting; undefined if none has finished. Errors: JoinError. */
  tryJoinNext(): T | undefined {
    const d = this.#take();
    if (d === undefined) return undefined;
    if (!d.ok) throw d.value;
    return d.value as T;
  }

  /**
   * Every value, in completion order. On the first JoinError, abort the rest and rethrow;
   * the set is empty afterwards either way (Tokio's `join_all` consumes the set, and
   * dropping it aborts what is left).
   */
  async joinAll(): Promise<T[]> {
    const out: T[] = [];
    for (;;) {
      const d = await this.#next();
      if (d === undefined) return out;
      if (!d.ok) {
        this.abortAll();
        this.detachAll();
        throw d.value;
      }
      out.push(d.value as T);
    }
  }

  /** Abort every task; they stay in the set until joined (as cancelled JoinErrors). */
  abortAll(): void {
    for (const t of this.#entries) t.abort();
  }

  /** Forget every task without aborting it; they keep running detached. */
  detachAll(): void {
    this.#entries.clear();
    this.#done.clear();
  }

  /** Abort every task and wait until all have been joined (their outcomes discarded). */
  async shutdown(): Promise<void> {
    this.abortAll();
    while ((await this.#next()) !== undefined);
  }

  async *[Symbol.asyncIterator](): AsyncIterator<T> {
    for (;;) {
      const d = await this.#next();
      if (d === undefined) return;
      if (!d.ok) throw d.value;
      yield d.value as T;
    }
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.shutdown();
  }

  #add(target: Joinable<T>): AbortHandle {
    target.markObserved();
    this.#entries.add(target);
    target.onSettled((ok, value) => {
      if (!this.#entries.has(target)) return;
      this.#done.push({ target, ok, value });
      this.#wakeOne();
    });
    return abortHandleOf(target as Joinable<unknown>);
  }

  #take(): Done<T> | undefined {
    const d = this.#done.shift();
    if (d === undefined) return undefined;
    this.#entries.delete(d.target);
    return d;
  }

  async #next(): Promise<Done<T> | undefined> {
    for (;;) {
      const c = coop();
      if (c !== undefined) await c;
      const d = this.#take();
      if (d !== undefined || this.#entries.size === 0) return d;
      const w = new CallbackWaiter<void>(this.#onCancel);
      if (w.pending) this.#waiters.push(w);
      await w.promise;
    }
  }

  readonly #onCancel = (w: Waiter<void>, woken: boolean): void => {
    const i = this.#waiters.indexOf(w);
    if (i >= 0) this.#waiters.splice(i, 1);
    if (woken) this.#wakeOne();
  };

  #wakeOne(): void {
    while (this.#waiters.length > 0) {
      if (this.#waiters.shift()!.wake(undefined)) return;
    }
  }
}
