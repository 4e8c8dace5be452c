/**
 * What a task's first poll does with what its function returned: settle the body now (a
 * value), or when the returned promise settles.
 *
 * This is the one place a spawn costs closures or not, so it is written for the common
 * case: an async function's native promise is watched with two shared reactions. A
 * reaction runs in the async context current when it was registered, which is the task's
 * own frame (`LocalTask.run`), so the shared callbacks find the task there. A foreign
 * thenable (a plain function returning a PromiseLike) may call back in any context and
 * gets closures; its `then` may also throw or not be a function at all.
 */
import { frames } from './context.js';
import type { LocalTask } from './task.js';

const promiseThen = Promise.prototype.then;

/**
 * Settles `task`'s body by `r`, what its function returned: at once for a value, when it
 * settles for a promise or thenable. Call it inside the task's frame.
 */
export function watchBody(task: LocalTask<unknown>, r: unknown): void {
  if (r === null || (typeof r !== 'object' && typeof r !== 'function')) {
    task.bodySettled(true, r);
  } else if (r instanceof Promise && r.then === promiseThen) {
    promiseThen.call(r, bodyFulfilled, bodyRejected);
  } else {
    watchThenable(task, r);
  }
}

/** The body returned a foreign thenable: watch it with closures. */
function watchThenable(task: LocalTask<unknown>, r: object): void {
  let then: unknown;
  try {
    then = (r as PromiseLike<unknown>).then;
    if (typeof then === 'function') {
      (then as PromiseLike<unknown>['then']).call(
        r,
        (v) => task.bodySettled(true, v),
        (e: unknown) => task.bodySettled(false, e),
      );
    }
  } catch (err) {
    task.bodySettled(false, err);
    return;
  }
  if (typeof then !== 'function') task.bodySettled(true, r);
}

function bodyFulfilled(this: void, value: unknown): void {
  frameTask().bodySettled(true, value);
}

function bodyRejected(this: void, err: unknown): void {
  frameTask().bodySettled(false, err);
}

/** The task whose frame a shared reaction runs in. */
function frameTask(): LocalTask<unknown> {
  const t = frames.getStore()?.task;
  if (t === undefined) throw new Error('skein internal error: a task body settled outside its frame');
  return t;
}
