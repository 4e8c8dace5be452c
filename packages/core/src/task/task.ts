/**
 * A task running on this thread: an async function plus the state Tokio keeps in a task
 * header, minus the polling (V8 resumes the function; the scheduler decides when).
 *
 * The task is its own cancel scope and its own context frame (context.ts), so spawning costs
 * one object here plus the JoinHandle. Two lifetimes are tracked apart, because JavaScript
 * can't drop a running function: the *outcome* (what the JoinHandle reports, settled at
 * once by `abort()`), and the *body* (the async function itself, which may still be
 * unwinding its `finally` blocks, or stuck on a foreign promise, after the outcome).
 *
 * A million tasks may be alive at once, and spawning one is on every hot path, so the
 * object is kept small: the body/outcome/observed states share one integer, what few tasks
 * use (a given name, a task definition's arguments, outcome listeners) lives in the scope's side object, and the callbacks are shared functions rather
 * than per-task closures.
 */
import { Cancelled } from '../errors/skein_error.js';
import { JoinError } from '../errors/join_error.js';
import type { RuntimeCore } from '../runtime/runtime_core.js';
import type { Runnable, Scheduler } from '../runtime/scheduler.js';
import { frames, type Frame, type Locals } from './context.js';
import { NOT_READY, type Joinable } from './joinable.js';
import { cancelledJoinError } from './cancelled_error.js';
import { CleanupWait } from './cleanup_wait.js';
import { deliver } from './deliver.js';
import { SCOPE_CANCELLED, Scope } from './scope.js';
import type { TaskRecord } from './task_record.js';
import { JoinWaiter, type Waiter } from './waiter.js';
import { announceOutcome, joinSettled, logIfNeverAwaited, type OutcomeListener } from './outcome.js';
import { watchBody } from './body_watch.js';
import { coop, tryCoop } from './yield_now.js';

// `flags` bits (the field is Scope's): the body's lifetime, the outcome, and whether anyone
// asked for the outcome.
const BODY = 3;
const QUEUED = 0;
const RUNNING = 1;
const FINISHED = 2;
const OUTCOME = 12;
const PENDING = 0;
const OK = 4;
const FAILED = 8;
const OBSERVED = 16;
/** Shutdown waits for this body to finish (see cleanup_wait.ts). */
const CLEANUP_AWAITED = SCOPE_CANCELLED * 2;
/**
 * The count of in-flight runtime awaits lives in the bits above the flags, Scope's
 * SCOPE_CANCELLED (bit 5) included (saves a field).
 */
const INFLIGHT_UNIT = SCOPE_CANCELLED * 4;
const FLAGS = INFLIGHT_UNIT - 1;

let nextId = 1;

/** Allocate a task id unique within this thread (workers add their own namespace). */
export function allocateTaskId(): number {
  return nextId++;
}

type Body<T> = (...args: unknown[]) => T | PromiseLike<T>;
type OnFulfilled<T, R> = ((value: T) => R | PromiseLike<R>) | null | undefined;
type OnRejected<R> = ((reason: JoinError) => R | PromiseLike<R>) | null | undefined;

/** `#slot` of a task cancelled while nobody waited for it: its JoinError is made on demand. */
const CANCELLED: unique symbol = Symbol('skein.task.cancelled');

/**
 * One spawned task on this thread.
 *
 * Its helper methods are TypeScript-`private` rather than `#private`: V8 gives every
 * instance of a class with `#methods` a hidden brand slot, 8 bytes per task.
 */
export class LocalTask<T> extends Scope implements Frame, Runnable, Joinable<T> {
  readonly id: number;
  readonly runtime: RuntimeCore;
  /** The cooperative budget charged in the current poll epoch, packed (see Scheduler.coop). */
  coop = -1;
  /** Intrusive list of the runtime's live tasks (O(1) insert/remove, no Set). */
  prevLive: LocalTask<unknown> | undefined = undefined;
  nextLive: LocalTask<unknown> | undefined = undefined;
  /**
   * The body, until it finishes: then it is dropped, so a finished task that is still
   * referenced (a kept JoinHandle, a JoinSet) doesn't keep the closure and everything it
   * captured alive, and a task that finished at once leaves its closure to die young (the
   * scavenger copies what survives). The default name is read from it only when asked for,
   * since `fn.name` is an accessor call that costs as much as a tenth of a whole spawn; see
   * {@link keepName}.
   */
  #fn: Body<T> | undefined;
  /**
   * While the outcome is pending: the task awaiting this one, if any (one is the usual
   * case; more go through listeners). Once settled: the value or JoinError. One field for
   * both, since a million sleeping tasks pay 8 bytes each for every field.
   */
  #slot: Waiter<T> | T | JoinError | typeof CANCELLED | undefined = undefined;

  constructor(
    runtime: RuntimeCore,
    fn: (...args: never[]) => T | PromiseLike<T>,
    args: unknown[] | undefined,
    name?: string,
    id?: number,
  ) {
    super();
    this.id = id ?? nextId++;
    this.runtime = runtime;
    this.#fn = fn as Body<T>;
    if (args !== undefined) this.extra.args = args;
    if (name !== undefined) this.extra.name = name;
  }

  /** Frame: the task is its own frame. */
  get task(): LocalTask<unknown> {
    return this as LocalTask<unknown>;
  }
  get scope(): Scope {
    return this;
  }
  get locals(): Locals | undefined {
    return undefined;
  }

  override rootTask(): LocalTask<unknown> {
    return this as LocalTask<unknown>;
  }

  get scheduler(): Scheduler {
    return this.runtime.scheduler;
  }

  /** Runtime awaits registered and not yet delivered; > 0 means shutdown waits for it. */
  get inflight(): number {
    return (this.flags - (this.flags & FLAGS)) / INFLIGHT_UNIT;
  }
  set inflight(n: number) {
    this.flags = (this.flags & FLAGS) + n * INFLIGHT_UNIT;
  }

  /**
   * The name given at spawn, else the function's name, else 'anonymous'. Once the body has
   * finished the function is gone: a name not read before then (by `currentTask()`, a task
   * dump, a panic log) reads 'anonymous'.
   */
  get name(): string {
    const fn = this.#fn;
    return this.extraIfAny?.name ?? (fn === undefined ? 'anonymous' : (this.extra.name = fn.name || 'anonymous'));
  }

  /**
   * @internal The name, from `body` once the task has dropped its own function: task
   * tracking keeps the body until the task's last poll has ended, for its warnings.
   */
  nameWith(body: { readonly name: string } | undefined): string {
    return this.extraIfAny?.name ?? ((this.#fn ?? body)?.name || 'anonymous');
  }

  /**
   * Read the name while the body can still give it: `currentTask()` hands the task to user
   * code, which may read its name after the body has finished. `body` stands in for the
   * task's function once it has been dropped (task tracking keeps it; see TaskRecord.body).
   */
  keepName(body?: { readonly name: string }): void {
    if (this.extraIfAny?.name !== undefined) return;
    const fn = this.#fn ?? body;
    if (fn !== undefined) this.extra.name = fn.name || 'anonymous';
  }

  /** @internal Its function until the body finishes (task tracking names a task from it). */
  get body(): { readonly name: string } | undefined {
    return this.#fn;
  }

  /** @internal Its figures, when task tracking is on and has made them (see TaskRecorder.recordOf). */
  get record(): TaskRecord | undefined {
    return this.extraIfAny?.record;
  }

  /** @internal Task tracking: `r` holds this task's figures from now on. */
  track(r: TaskRecord): void {
    this.adoptExtra(r);
  }

  /** 'queued' | 'running' | 'finished', for task dumps. */
  get state(): 'queued' | 'running' | 'finished' {
    const body = this.flags & BODY;
    return body === QUEUED ? 'queued' : body === RUNNING ? 'running' : 'finished';
  }

  /** The scheduler polls a queued task for the first time: start its body. */
  run(): void {
    if ((this.flags & BODY) !== QUEUED) return;
    if (this.cancelled) {
      this.finishBody();
      return;
    }
    this.flags |= RUNNING;
    frames.runFresh(this as LocalTask<unknown>, LocalTask.#startBody);
  }

  /** The first poll, inside the task's own frame: call the body and watch what it returns. */
  static #startBody(this: void, task: LocalTask<unknown>): void {
    task.startBody();
  }

  private startBody(): void {
    const fn = this.#fn!;
    const x = this.extraIfAny;
    const args = x?.args;
    if (args !== undefined) x!.args = undefined;
    let r: unknown;
    try {
      r = args === undefined ? fn() : fn(...args);
    } catch (err) {
      this.bodySettled(false, err);
      return;
    }
    watchBody(this as LocalTask<unknown>, r);
  }

  /** Abort: pending runtime awaits reject with Cancelled; the outcome is cancelled at once. */
  abort(): void {
    this.cancel();
  }

  protected override onCancel(): void {
    if ((this.flags & OUTCOME) !== PENDING) return;
    if (this.#slot === undefined && this.extraIfAny?.listeners === undefined) {
      // Nobody waits for the outcome (a shutdown cancelling a million idle tasks): settle
      // without making the JoinError until someone asks for it.
      this.flags |= FAILED;
      this.#slot = CANCELLED;
      this.runtime.taskSettled(this as LocalTask<unknown>);
    } else {
      this.settle(FAILED, cancelledJoinError(this.id));
    }
  }

  /** The JoinError of a failed task (made now if it was cancelled with nobody waiting). */
  private failure(): JoinError {
    if (this.#slot === CANCELLED) this.#slot = cancelledJoinError(this.id);
    return this.#slot as JoinError;
  }

  isFinished(): boolean {
    return (this.flags & OUTCOME) !== PENDING;
  }

  /** @internal The body has returned or thrown (the outcome may have come earlier, by abort). */
  bodyFinished(): boolean {
    return (this.flags & BODY) === FINISHED;
  }

  markObserved(): void {
    this.flags |= OBSERVED;
  }

  isObserved(): boolean {
    return (this.flags & OBSERVED) !== 0;
  }

  /**
   * Whether a finished task returned (its {@link outcome} is then its value): for a runtime
   * reading the outcome in `taskSettled`, without a listener.
   */
  succeeded(): boolean {
    return (this.flags & OUTCOME) === OK;
  }

  /** A finished task's value, or its JoinError. */
  outcome(): T | JoinError {
    return (this.flags & OUTCOME) === OK ? (this.#slot as T) : this.failure();
  }

  join(): Promise<T> {
    this.flags |= OBSERVED;
    const outcome = this.flags & OUTCOME;
    if (outcome === PENDING) return this.park();
    return joinSettled(outcome === OK, outcome === OK ? (this.#slot as T) : this.failure(), () => this.join());
  }

  /**
   * @internal `JoinHandle.then` for a task of this thread: what `join().then(f, r)` does,
   * with one promise instead of two when the task has finished (`Promise.all` over
   * finished handles, explicit `then`; a plain `await` usually takes {@link joinNow}).
   */
  joinThen<R1, R2>(onFulfilled: OnFulfilled<T, R1>, onRejected: OnRejected<R2>): Promise<R1 | R2> {
    this.flags |= OBSERVED;
    const outcome = this.flags & OUTCOME;
    if (outcome === PENDING) return this.park().then(onFulfilled, onRejected);
    const c = coop();
    if (c !== undefined) return c.then(() => this.joinThen(onFulfilled, onRejected), onRejected);
    return deliver(outcome === OK, outcome === OK ? this.#slot : this.failure(), onFulfilled, onRejected);
  }

  /** See {@link Joinable.joinNow}; the full path is `joinThen`. */
  joinNow(): T | typeof NOT_READY {
    if ((this.flags & OUTCOME) !== OK) return NOT_READY;
    this.flags |= OBSERVED;
    return tryCoop() ? (this.#slot as T) : NOT_READY;
  }

  /** Wait for the outcome as a runtime await (woken through the scheduler, cancellable). */
  private park(): Promise<T> {
    const w = new JoinWaiter<T>(this);
    if (!w.pending) return w.promise;
    if (this.#slot === undefined) this.#slot = w;
    else this.onSettled((ok, v) => (ok ? w.wake(v as T) : w.fail(v)));
    return w.promise;
  }

  /** @internal A joiner was cancelled: it no longer waits. */
  dropJoiner(w: Waiter<T>): void {
    if ((this.flags & OUTCOME) === PENDING && this.#slot === w) this.#slot = undefined;
  }

  onSettled(listener: OutcomeListener<T>): void {
    const outcome = this.flags & OUTCOME;
    if (outcome !== PENDING) listener(outcome === OK, outcome === OK ? (this.#slot as T) : this.failure());
    else (this.extra.listeners ??= []).push(listener as (ok: boolean, value: unknown) => void);
  }

  /**
   * @internal Shutdown: if the task is parked on a runtime await, mark it so its runtime's
   * CleanupWait hears when the body has finished (returned or thrown, not merely been
   * aborted), and return true.
   */
  awaitCleanup(): boolean {
    if (this.inflight === 0 || (this.flags & BODY) === FINISHED) return false;
    this.flags |= CLEANUP_AWAITED;
    return true;
  }

  /** @internal The body returned (`ok`) or threw `value`: settle the outcome, unless an abort did, and finish the body. */
  bodySettled(ok: boolean, value: unknown): void {
    if ((this.flags & BODY) === FINISHED) return;
    if ((this.flags & OUTCOME) === PENDING) {
      if (ok) this.settle(OK, value as T);
      else if (this.cancelled && value instanceof Cancelled) this.settle(FAILED, new JoinError('cancelled', this.id));
      else this.settle(FAILED, new JoinError('panic', this.id, value));
    } else if (!ok && !(value instanceof Cancelled)) {
      this.runtime.logger.debug({ taskId: this.id, err: value }, 'aborted task threw while unwinding');
    }
    this.finishBody();
  }

  private finishBody(): void {
    const flags = this.flags;
    this.flags = (flags & ~BODY) | FINISHED;
    this.#fn = undefined;
    if ((flags & CLEANUP_AWAITED) !== 0) CleanupWait.bodyFinished(this.runtime);
    const x = this.extraIfAny;
    if (x !== undefined) x.args = undefined;
  }

  private settle(outcome: number, result: T | JoinError): void {
    const j = this.#slot as Waiter<T> | undefined;
    this.flags |= outcome;
    this.#slot = result;
    this.runtime.taskSettled(this as LocalTask<unknown>);
    const ok = outcome === OK;
    const x = this.extraIfAny;
    const ls = x?.listeners as OutcomeListener<T>[] | undefined;
    if (ls !== undefined) x!.listeners = undefined;
    announceOutcome(j, ls, ok, result);
    if (!ok && (this.flags & OBSERVED) === 0)
      logIfNeverAwaited(this, this.name, result as JoinError, this.runtime.logger);
  }
}
