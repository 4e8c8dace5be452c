/**
 * A task running on this thread: an async function plus the state Tokio keeps in a task
 * header, minus the polling (V8 resumes the function; the scheduler decides when).
 *
 * The task is its own cancel scope and its own AsyncLocalStorage frame, so spawning costs
 * one object here plus the JoinHandle. Two lifetimes are tracked apart, because JavaScript
 * can't drop a running function: the *outcome* (what the JoinHandle reports, settled at
 * once by `abort()`), and the *body* (the async function itself, which may still be
 * unwinding its `finally` blocks, or stuck on a foreign promise, after the outcome).
 */
import { Cancelled } from '../errors/skein_error.js';
import { JoinError } from '../errors/join_error.js';
import type { RuntimeCore } from '../runtime/runtime_core.js';
import type { Runnable, Scheduler } from '../runtime/scheduler.js';
import { frames, type Frame, type Locals } from './context.js';
import type { Joinable } from './joinable.js';
import { Scope } from './scope.js';
import { Waiter } from './waiter.js';
import { coop } from './yield_now.js';

const QUEUED = 0;
const RUNNING = 1;
const FINISHED = 2;

const PENDING = 0;
const OK = 1;
const FAILED = 2;

let nextId = 1;

/** Allocate a task id unique within this thread (workers add their own namespace). */
export function allocateTaskId(): number {
  return nextId++;
}

type Listener<T> = (ok: boolean, value: T | JoinError) => void;

/** One spawned task on this thread. */
export class LocalTask<T> extends Scope implements Frame, Runnable, Joinable<T> {
  readonly id: number;
  readonly name: string;
  readonly runtime: RuntimeCore;
  readonly scheduler: Scheduler;
  /** Runtime awaits registered and not yet delivered; > 0 means shutdown waits for it. */
  inflight = 0;
  /** Intrusive list of the runtime's live tasks (O(1) insert/remove, no Set). */
  prevLive: LocalTask<unknown> | undefined = undefined;
  nextLive: LocalTask<unknown> | undefined = undefined;
  #fn: ((...args: unknown[]) => T | PromiseLike<T>) | undefined;
  #args: unknown[] | undefined;
  #body = QUEUED;
  #outcome = PENDING;
  #result: T | JoinError | undefined = undefined;
  #observed = false;
  #joiner: Waiter<T> | undefined = undefined;
  #listeners: Listener<T>[] | undefined = undefined;
  #bodyDone: (() => void)[] | undefined = undefined;

  constructor(runtime: RuntimeCore, fn: (...args: never[]) => T | PromiseLike<T>, args: unknown[] | undefined, name?: string, id?: number) {
    super();
    this.id = id ?? nextId++;
    this.runtime = runtime;
    this.scheduler = runtime.scheduler;
    this.#fn = fn as (...args: unknown[]) => T | PromiseLike<T>;
    this.#args = args;
    this.name = name ?? (fn.name || 'anonymous');
  }

  /** Frame: the task is its own frame. */
  get task(): LocalTask<unknown> { return this as LocalTask<unknown>; }
  get scope(): Scope { return this; }
  get locals(): Locals | undefined { return undefined; }

  /** 'queued' | 'running' | 'finished', for task dumps. */
  get state(): 'queued' | 'running' | 'finished' {
    return this.#body === QUEUED ? 'queued' : this.#body === RUNNING ? 'running' : 'finished';
  }

  /** @internal The scheduler polls a queued task for the first time: start its body. */
  run(): void {
    if (this.#body !== QUEUED) return;
    const fn = this.#fn!;
    const args = this.#args;
    this.#fn = undefined;
    this.#args = undefined;
    if (this.cancelled) {
      this.#finishBody();
      return;
    }
    this.#body = RUNNING;
    let r: T | PromiseLike<T>;
    try {
      r = args === undefined ? frames.run(this, fn) : frames.run(this, fn, ...args);
    } catch (err) {
      this.#bodySettled(false, err);
      return;
    }
    if (r !== null && (typeof r === 'object' || typeof r === 'function') && typeof (r as PromiseLike<T>).then === 'function') {
      (r as PromiseLike<T>).then((v) => this.#bodySettled(true, v), (e: unknown) => this.#bodySettled(false, e));
    } else {
      this.#bodySettled(true, r as T);
    }
  }

  /** Abort: pending runtime awaits reject with Cancelled; the outcome is cancelled at once. */
  abort(): void {
    this.cancel();
  }

  protected override onCancel(): void {
    if (this.#outcome === PENDING) this.#settle(FAILED, new JoinError('cancelled', this.id));
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
      // Joining a finished task is still a runtime await: it charges the cooperative budget
      // (a loop over finished handles must not starve timers and I/O) and, in a cancelled
      // task, rejects with Cancelled like every other runtime await.
      const c = coop();
      if (c !== undefined) return c.then(() => this.join());
      return this.#outcome === OK ? Promise.resolve(this.#result as T) : Promise.reject(this.#result);
    }
    const w = new Waiter<T>(this.#removeJoiner as (w: Waiter<T>) => void);
    if (!w.pending) return w.promise;
    if (this.#joiner === undefined) this.#joiner = w;
    else this.onSettled((ok, v) => (ok ? w.wake(v as T) : w.fail(v)));
    return w.promise;
  }

  readonly #removeJoiner = (w: Waiter<unknown>): void => {
    if (this.#joiner === w) this.#joiner = undefined;
  };

  onSettled(listener: Listener<T>): void {
    if (this.#outcome !== PENDING) listener(this.#outcome === OK, this.#result as T | JoinError);
    else (this.#listeners ??= []).push(listener);
  }

  /** Resolves when the body has returned or thrown (not merely been aborted). */
  bodyFinished(): Promise<void> {
    if (this.#body === FINISHED) return Promise.resolve();
    return new Promise((resolve) => (this.#bodyDone ??= []).push(resolve));
  }

  #bodySettled(ok: boolean, value: unknown): void {
    if (this.#outcome === PENDING) {
      if (ok) this.#settle(OK, value as T);
      else if (this.cancelled && value instanceof Cancelled) this.#settle(FAILED, new JoinError('cancelled', this.id));
      else this.#settle(FAILED, new JoinError('panic', this.id, value));
    } else if (!ok && !(value instanceof Cancelled)) {
      this.runtime.logger.debug({ taskId: this.id, err: value }, 'aborted task threw while unwinding');
    }
    this.#finishBody();
  }

  #finishBody(): void {
    this.#body = FINISHED;
    const done = this.#bodyDone;
    this.#bodyDone = undefined;
    if (done !== undefined) for (const f of done) f();
  }

  #settle(outcome: number, result: T | JoinError): void {
    this.#outcome = outcome;
    this.#result = result;
    this.runtime.taskSettled(this as LocalTask<unknown>);
    const ok = outcome === OK;
    const j = this.#joiner;
    if (j !== undefined) {
      this.#joiner = undefined;
      if (ok) j.wake(result as T);
      else j.fail(result);
    }
    const ls = this.#listeners;
    if (ls !== undefined) {
      this.#listeners = undefined;
      for (const l of ls) l(ok, result);
    }
    if (!ok && !this.#observed && (result as JoinError).isPanic()) {
      setImmediate(() => {
        if (!this.#observed) {
          this.runtime.logger.error({ taskId: this.id, task: this.name, err: (result as JoinError).cause },
            'task panicked and its JoinHandle was never awaited');
        }
      });
    }
  }
}
