/**
 * Where the current task lives.
 *
 * Tokio keeps the current task in a thread-local that is set while the task is polled. A
 * JavaScript async function isn't polled: its continuations run from the microtask queue,
 * interleaved with foreign promises and timers. AsyncLocalStorage follows exactly those
 * continuations, so it is what carries the task (and its task-locals) across every await,
 * foreign ones included.
 *
 * The storage is a process-wide singleton keyed by a registered symbol so that two copies
 * of this package loaded in one thread (source and built, say) still agree on the current
 * task.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
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

const KEY = Symbol.for('skein.core.frames');
type Holder = { [KEY]?: AsyncLocalStorage<Frame> };

/** The single AsyncLocalStorage holding the current {@link Frame}. */
export const frames: AsyncLocalStorage<Frame> =
  ((globalThis as Holder)[KEY] ??= new AsyncLocalStorage<Frame>());

/** The current frame, or undefined outside every task. */
export function currentFrame(): Frame | undefined {
  return frames.getStore();
}
