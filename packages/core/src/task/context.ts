/**
 * Where the current task lives.
 *
 * Tokio keeps the current task in a thread-local that is set while the task is polled. A
 * JavaScript async function isn't polled: its continuations run from the microtask queue,
 * interleaved with foreign promises and timers. So the current frame has to ride along
 * with the promise reactions that resume the task, foreign ones included. Two carriers do
 * that, and the cheaper one on this Node is picked once, at import:
 *
 * - **AsyncLocalStorage on AsyncContextFrame** (Node 24 and 26). V8 keeps the frame on each
 *   promise reaction; no JavaScript runs per promise.
 * - **skein's own promise hooks** ({@link PromiseHookFrames}) where AsyncLocalStorage would
 *   run on async_hooks (Node 22, unless started with `--experimental-async-context-frame`).
 *   async_hooks gives every promise an async id, a trigger id and a store (three
 *   properties, two of them boxed numbers), and runs its id stacks around every reaction.
 *   A task only needs its frame on the promises whose reactions resume it, so skein's hooks
 *   write one property, only on those, and swap one variable around each reaction.
 *
 * The hooks exist only for Node 22, the floor; performance is judged on 24 and 26, so they
 * stay only because they pay there. Measured on Node 22.23, interleaved fresh processes
 * (`SKEIN_CONTEXT=hooks` against `als`): a raw async call with the frame entered runs
 * 1.9-2.8 M/s against 1.3-1.7 M/s, and spawn_many 1.2-2.2x as fast (Node 20 had
 * shown the same: a million sleepers at 954 MiB instead of 1183). Remove this class with
 * Node 22.
 *
 * The hooks follow promises only: a `setTimeout`, `queueMicrotask` or event-emitter
 * callback registered by a task runs outside it, as a callback handed to another thread
 * would in Tokio. Everything the task itself awaits, foreign promises included, resumes it
 * with its frame.
 *
 * `SKEIN_CONTEXT=als` or `SKEIN_CONTEXT=hooks` in the environment overrides the choice,
 * for an application on Node 22 that relies on callbacks inheriting the task, or to
 * compare the two.
 *
 * The store is a process-wide singleton keyed by a registered symbol so that two copies of
 * this package loaded in one thread (source and built, say) still agree on the current
 * task.
 */
import { AsyncLocalStorage, AsyncResource } from 'node:async_hooks';
import { promiseHooks } from 'node:v8';
import { rangeError } from '../errors/invalid_argument.js';
import type { Scope } from './scope.js';
import type { LocalTask } from './task.js';

/** What a running piece of task code can see: its task, its cancel scope, its task-locals. */
export interface Frame {
  /** Undefined only for task-local scopes entered outside any runtime. */
  readonly task: LocalTask<unknown> | undefined;
  readonly scope: Scope | undefined;
  readonly locals: Locals | undefined;
}

/** An immutable chain of task-local bindings; `scope()` pushes one link. */
export interface Locals {
  readonly key: object;
  readonly value: unknown;
  readonly parent: Locals | undefined;
}

/** The part of AsyncLocalStorage's interface the runtime uses. */
export interface FrameStore {
  /** The current frame, or undefined outside every task. */
  getStore(): Frame | undefined;
  /** Make `frame` current for the rest of this synchronous run and what it awaits. */
  enterWith(frame: Frame | undefined): void;
  /** Call `fn` with `frame` current, then restore the previous frame. */
  run<R, A extends unknown[]>(frame: Frame, fn: (...args: A) => R, ...args: A): R;
  /**
   * Call `fn(frame)` with `frame` entered over the async context this module was loaded in
   * (not the caller's), then restore the caller's: a task's first poll. So a task starts
   * from the same context whichever task's drain happens to poll it: AsyncLocalStorage
   * values around `spawn()` never reach the task (as task-locals don't, and as a Tokio
   * task doesn't inherit a tracing span), where they used to leak from one task into the
   * next. Under AsyncContextFrame it is also the cheap way to make the task's frame (see
   * ContextFrameAls).
   */
  runFresh<F extends Frame>(frame: F, fn: (frame: F) => void): void;
}

const FRAME = Symbol('skein.frame');
type Tagged = { [FRAME]?: Frame };

/**
 * Frames carried by V8 promise hooks. A promise gets the current frame at its creation
 * only when it has a parent: the promises `then` and `await` make for their reactions.
 * Those are exactly the promises V8 passes to `before`, so the frame is back in place when
 * a reaction runs; a `new Promise` or an async function's own promise never resumes
 * anything and stays untagged (that is most of the memory saved, and it keeps waiters,
 * which are Promise subclasses, out of the hook's property write).
 *
 * The hooks are installed on the first frame entered, so importing skein changes nothing.
 */
export class PromiseHookFrames implements FrameStore {
  #current: Frame | undefined = undefined;
  /** The frames that `before` replaced; reactions don't nest, so this stays shallow. */
  readonly #saved: (Frame | undefined)[] = [];
  #installed = false;
  /** Where a task's first poll starts (see FrameStore.runFresh): the context at import. */
  readonly #root = new AsyncResource('skein.task');

  getStore(): Frame | undefined {
    return this.#current;
  }

  enterWith(frame: Frame | undefined): void {
    if (!this.#installed) this.#install();
    this.#current = frame;
  }

  run<R, A extends unknown[]>(frame: Frame, fn: (...args: A) => R, ...args: A): R {
    if (!this.#installed) this.#install();
    const prev = this.#current;
    this.#current = frame;
    try {
      return fn(...args);
    } finally {
      this.#current = prev;
    }
  }

  runFresh<F extends Frame>(frame: F, fn: (frame: F) => void): void {
    this.#root.runInAsyncScope(this.run, this, frame, fn, frame);
  }

  #install(): void {
    this.#installed = true;
    promiseHooks.createHook({
      init: (promise: Promise<unknown>, parent: Promise<unknown> | undefined) => {
        if (parent === undefined) return;
        const f = this.#current;
        if (f !== undefined) (promise as Tagged)[FRAME] = f;
      },
      before: (promise: Promise<unknown>) => {
        this.#saved.push(this.#current);
        this.#current = (promise as Tagged)[FRAME];
      },
      after: () => {
        this.#current = this.#saved.pop();
      },
    });
  }
}

/** Frames carried by AsyncLocalStorage (on async_hooks: Node 22 with SKEIN_CONTEXT=als). */
class AlsFrames extends AsyncLocalStorage<Frame> implements FrameStore {
  /** Where a task's first poll starts (see FrameStore.runFresh): the context at import. */
  protected readonly root = new AsyncResource('skein.task');

  runFresh<F extends Frame>(frame: F, fn: (frame: F) => void): void {
    this.root.runInAsyncScope(this.run, this, frame, fn, frame);
  }
}

/**
 * Frames carried by AsyncLocalStorage on AsyncContextFrame (Node 24 and 26).
 *
 * `enterWith` and `run` make a new frame by copying the current one (a Map) and adding the
 * store. Inside a drain the current one is another task's frame, and copying a one-entry
 * Map costs about 200 ns, a third of a whole spawn-and-await. Copying an empty context
 * costs a third of that, so a task's first poll steps out to the context captured at import
 * (an AsyncResource re-enters it without allocating) and enters its frame there. (On
 * async_hooks this would write the task into the shared resource, hence two classes.)
 */
class ContextFrameAls extends AlsFrames {
  override runFresh<F extends Frame>(frame: F, fn: (frame: F) => void): void {
    // `enterWith` rather than `run`: the scope's exit restores the caller's frame, and
    // `run` would allocate another frame to restore it first.
    this.root.runInAsyncScope(enterThenCall, this, frame, fn);
  }
}

function enterThenCall(this: AlsFrames, frame: Frame, fn: (frame: Frame) => void): void {
  this.enterWith(frame);
  fn(frame);
}

/**
 * True when AsyncLocalStorage runs on async_hooks here (Node 22): probed with a storage of
 * its own, which is disabled again so that the probe leaves no hooks on. The probe runs in
 * a resource's scope, which puts the importer's context back when it ends: `run` leaves a
 * frame of its own entered (its store emptied by `disable`), which the task-start context
 * captured just after would keep, and every task start would copy that Map (measured: a
 * tenth of a spawn and await's instructions on Node 24).
 */
function alsHooksPromises(): boolean {
  const probe = new AsyncLocalStorage<boolean>();
  const tagged = new AsyncResource('skein.probe').runInAsyncScope(() =>
    probe.run(true, () => Object.getOwnPropertySymbols(new Promise<void>(() => {})).length > 0),
  );
  probe.disable();
  return tagged;
}

const KEY = Symbol.for('skein.core.frames');
type Holder = { [KEY]?: FrameStore };

/** The thread's single {@link FrameStore}. */
export const frames: FrameStore = ((globalThis as Holder)[KEY] ??= chooseStore());

/** The carrier for this process: see the module comment. */
function chooseStore(): FrameStore {
  const forced = process.env.SKEIN_CONTEXT;
  if (forced !== undefined && forced !== '' && forced !== 'als' && forced !== 'hooks') {
    throw rangeError(
      `SKEIN_CONTEXT=${JSON.stringify(forced)} is not a task-context carrier: set it to "als" or "hooks", or unset it to let skein pick`,
      'ERR_SKEIN_INVALID_ENV',
    );
  }
  const onHooks = alsHooksPromises();
  if (forced === 'hooks' || (forced !== 'als' && onHooks)) return new PromiseHookFrames();
  return onHooks ? new AlsFrames() : new ContextFrameAls();
}

/** The current frame, or undefined outside every task. */
export function currentFrame(): Frame | undefined {
  return frames.getStore();
}
