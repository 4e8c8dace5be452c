/**
 * A pending runtime await, and the only way runtime awaitables wake a task.
 *
 * A primitive (sleep, a mutex, a channel, a JoinHandle) that can't complete at once creates
 * a Waiter, parks it in its own wait queue and returns `waiter.promise`. Later it calls
 * `wake(value)` or `fail(err)`. Neither settles the promise directly: the waiter is pushed
 * on its scheduler's run queue and settled from there, so the scheduler counts the poll,
 * charges the cooperative budget and can defer the wake to the next event-loop turn.
 *
 * Cancellation is the other way out. The waiter registers with the current cancel scope;
 * when the scope is cancelled it calls the primitive's `onCancel(w, false)` so the primitive
 * takes it off its queue, and the promise rejects with `Cancelled`. If the scope is
 * cancelled after a wake but before the task ran, `onCancel(w, true)` lets the primitive
 * undo the hand-off (release the lock, pass the notification on), which is what makes
 * every wait cancel-safe.
 *
 * A Waiter *is* the promise the task awaits, and a sleep's waiter is also its timer-wheel
 * entry (TimerWaiter), so a sleeping task costs one object here rather than three (a
 * waiter, its promise, a wheel entry): at a million sleepers every object header and field
 * is a megabyte. Its prototype's `constructor` is `Promise`, which keeps `await` on V8's
 * native path (a subclass would otherwise be wrapped in a new promise and cost an extra
 * tick) and makes `then` return plain promises. The object handed to user code then
 * carries the waiter's fields; `util.inspect` shows it as a promise.
 *
 * A waiter is made with no parent promise, so skein's own promise hooks (Node 22, see
 * context.ts) never write to it. Hooks that tag every promise (async_hooks, when an APM
 * tool or the application turns them on) do, and the dozen waiter classes make their
 * property writes megamorphic: on Node 20 mpsc `recv` measured 25-30% slower under
 * AsyncLocalStorage. That costs speed only, never correctness.
 */
import type { CancelReason } from './cancelled_error.js';
import { Cancelled } from '../errors/skein_error.js';
import { frames } from './context.js';
import { Rejection } from './rejection.js';
import { keepResolve, takeResolve } from './resolver.js';
import type { Scope } from './scope.js';
import type { LocalTask } from './task.js';

const inspectCustom = Symbol.for('nodejs.util.inspect.custom');

/**
 * A waiter's state lives in its two fields rather than a third (8 bytes a sleeping task):
 * pending while `value` is NOT_SET; woken once it holds the value; failed once it holds a
 * {@link Rejection}; done (settled or discarded) once `#resolve` is gone.
 */
const NOT_SET: unknown = Symbol('skein.waiter.pending');

/** Called when a waiter is cancelled: `woken` says a value was already handed to it. */
export type OnCancel<T> = (waiter: Waiter<T>, woken: boolean) => void;

/**
 * Typed as a class holding `promise` (callers read `.promise`); it is Promise itself, and
 * `promise` is a prototype getter returning the waiter.
 */
const WaiterBase = Promise as unknown as new <T>(
  executor: (resolve: (value: T) => void) => void,
) => { readonly promise: Promise<T> };

/** A pending runtime await. See the module comment for the protocol. */
export class Waiter<T> extends WaiterBase<T> {
  /**
   * The value handed over by `wake`, which primitives may read in `onCancel(w, true)`.
   * Internally it also carries the state (see NOT_SET), so read it only once woken.
   */
  value: T | undefined = NOT_SET as T;
  /** The cancel scope it is registered with; its task is found from there. */
  readonly scope: Scope | undefined;
  #resolve: ((value: T | Rejection) => void) | undefined;

  /** `scope` defaults to the current task's innermost cancel scope. */
  constructor(scope?: Scope) {
    super(keepResolve);
    // Each subclass's prototype gets its own `constructor`, which would take `await` off
    // the native path: point it at Promise too, once per subclass.
    const proto = new.target.prototype as { constructor: unknown };
    if (proto.constructor !== Promise) setPromiseConstructor(proto);
    this.#resolve = takeResolve<T | Rejection>();
    this.scope = scope ?? frames.getStore()?.scope;
    const s = this.scope;
    if (s === undefined) return;
    const task = s.rootTask();
    if (task !== undefined) {
      task.inflight++;
      const tracker = task.runtime.scheduler.tracker;
      if (tracker !== undefined) tracker.parked(task, this);
    }
    if (s.cancelled) {
      this.value = new Rejection(new Cancelled()) as T;
      this.scheduleRun();
    } else {
      s.add(this as Waiter<unknown>);
    }
  }

  /**
   * What a parked task awaits, for task dumps: one label per waiter class (a prototype
   * getter, nothing per instance). '' lets the await's stack name it (`Mutex.lock`), for
   * classes several primitives share.
   */
  get waitLabel(): string {
    return '';
  }

  /** The task whose scope it waits in, if any. */
  get task(): LocalTask<unknown> | undefined {
    return this.scope?.rootTask();
  }

  /** True until woken, failed or cancelled: only a pending waiter may be queued or woken. */
  get pending(): boolean {
    return this.value === NOT_SET;
  }

  /** Hand `value` to the task. Returns false (and does nothing) if it is no longer pending. */
  wake(value: T): boolean {
    if (this.value !== NOT_SET) return false;
    this.value = value;
    this.scope?.remove(this as Waiter<unknown>);
    this.scheduleRun();
    return true;
  }

  /** Reject the await with `error`. Returns false if it is no longer pending. */
  fail(error: unknown): boolean {
    if (this.value !== NOT_SET) return false;
    this.value = new Rejection(error) as T;
    this.scope?.remove(this as Waiter<unknown>);
    this.scheduleRun();
    return true;
  }

  /**
   * Withdraw a pending waiter without settling it (a `timeout` whose future won): it leaves
   * its scope and, through `onCancel`, the primitive's queue. Its promise never settles.
   */
  discard(): void {
    if (this.value !== NOT_SET) return;
    this.value = undefined;
    this.#resolve = undefined;
    this.scope?.remove(this as Waiter<unknown>);
    const task = this.task;
    if (task !== undefined) task.inflight--;
    this.onCancel(false);
  }

  /** @internal Called by the scope when it is cancelled: reject with the scope's reason. */
  cancel(reason: CancelReason): void {
    if (this.value !== NOT_SET) return;
    this.value = reason as T;
    this.onCancel(false);
    this.scheduleRun();
  }

  /** @internal Called by the scheduler: settle the promise, which resumes the task. */
  run(): void {
    const resolve = this.#resolve;
    if (resolve === undefined) return;
    this.#resolve = undefined;
    const task = this.task;
    if (task !== undefined) task.inflight--;
    const v = this.value;
    if (v instanceof Rejection) {
      this.value = undefined;
      resolve(v);
    } else if (this.scope?.cancelled) {
      this.onCancel(true);
      resolve(new Rejection(new Cancelled()));
    } else {
      resolve(v as T);
    }
  }

  /**
   * The primitive's side of a cancellation: leave its wait queue, or, when `woken` (a value
   * was already handed over), undo the hand-off. A hook rather than a callback field: a
   * million sleepers pay 8 bytes for every field.
   */
  protected onCancel(_woken: boolean): void {}

  /** Shown as the promise it is, not as the runtime's bookkeeping. */
  [inspectCustom](): string {
    return this.#resolve === undefined ? 'Promise { <settled by skein> }' : 'Promise { <pending> }';
  }

  /** (TypeScript-private: a `#method` would add a hidden brand slot to every waiter.) */
  private scheduleRun(): void {
    const task = this.task;
    if (task !== undefined) task.scheduler.schedule(this);
    else queueMicrotask(() => this.run());
  }
}

/** A waiter whose primitive takes cancellations through a callback (one shared function per primitive). */
export class CallbackWaiter<T> extends Waiter<T> {
  readonly #onCancel: OnCancel<T>;

  constructor(onCancel: OnCancel<T>) {
    super();
    this.#onCancel = onCancel;
  }

  protected override onCancel(woken: boolean): void {
    this.#onCancel(this, woken);
  }
}

/** What a joined task offers its joiner: forget `w` if it is the one waiting. */
export interface Joined<T> {
  dropJoiner(w: Waiter<T>): void;
}

/** A task waiting for another task's outcome. */
export class JoinWaiter<T> extends Waiter<T> {
  readonly joined: Joined<T>;

  constructor(joined: Joined<T>) {
    super();
    this.joined = joined;
  }

  override get waitLabel(): string {
    return 'JoinHandle';
  }

  protected override onCancel(): void {
    this.joined.dropJoiner(this);
  }
}

/** `await` and `then` read `constructor`: Promise keeps both on V8's native fast paths. */
function setPromiseConstructor(proto: object): void {
  Object.defineProperty(proto, 'constructor', { value: Promise, writable: true, configurable: true });
}
setPromiseConstructor(Waiter.prototype);
// The waiter is its own promise.
Object.defineProperty(Waiter.prototype, 'promise', {
  get(this: Waiter<unknown>) {
    return this;
  },
  configurable: true,
});
