/**
 * Task-local storage (Tokio's `task_local!`). A binding made with `scope(value, fn)` is
 * visible to `fn` across every await (foreign ones too, since it rides the same context
 * frame as the task), and is not inherited by spawned tasks. Like the task itself, it
 * reaches plain callbacks `fn` registers (a timer, a listener) only where the context
 * carrier follows callbacks (AsyncLocalStorage: Node 24, or SKEIN_CONTEXT=als).
 */
import { SkeinError } from '../errors/skein_error.js';
import { frames } from './context.js';

const UNSET = Symbol('unset');

/** A key for task-local values. */
export class TaskLocal<T> {
  /** Run `fn` with this key bound to `value`; returns what `fn` returns. */
  scope<R>(value: T, fn: () => R): R {
    const frame = frames.getStore();
    return frames.run(
      { task: frame?.task, scope: frame?.scope, locals: { key: this, value, parent: frame?.locals } },
      fn,
    );
  }

  /** Run `fn` synchronously with the binding (Tokio's `sync_scope`). */
  syncScope<R>(value: T, fn: () => R): R {
    return this.scope(value, fn);
  }

  /** The bound value. Errors: SkeinError `ERR_SKEIN_TASK_LOCAL_UNSET` outside a scope. */
  get(): T {
    const v = this.#find();
    if (v === UNSET) {
      throw new SkeinError(
        'ERR_SKEIN_TASK_LOCAL_UNSET',
        'this task-local is not set here: read it inside `local.scope(value, fn)`, or use tryGet()',
      );
    }
    return v;
  }

  /** The bound value, or undefined outside a scope. */
  tryGet(): T | undefined {
    const v = this.#find();
    return v === UNSET ? undefined : v;
  }

  #find(): T | typeof UNSET {
    for (let l = frames.getStore()?.locals; l !== undefined; l = l.parent) {
      if (l.key === this) return l.value as T;
    }
    return UNSET;
  }
}

/** Create a task-local key. */
export function taskLocal<T>(): TaskLocal<T> {
  return new TaskLocal<T>();
}
