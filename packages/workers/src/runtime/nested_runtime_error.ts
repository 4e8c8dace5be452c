/**
 * `blockOn` called on a multi-thread worker: Tokio's "Cannot start a runtime from within a
 * runtime".
 *
 * Tokio panics there because `block_on` would block a thread that drives tasks. skein's
 * `blockOn` returns a promise, so nothing would deadlock, but a root task started on a
 * worker would be a second, unsupervised entry point on a thread whose tasks the runtime
 * already schedules, cancels at shutdown and counts: no caller outside the runtime awaits
 * it, so there is nothing it would add over a plain `await`. The error says so.
 */
import { SkeinError } from '@skein/core';
import { registerErrorClass } from '../codec/error_codec.js';

/** `handle.blockOn()` inside the multi-thread runtime's worker. Code `ERR_SKEIN_NESTED_RUNTIME`. */
export class NestedRuntimeError extends SkeinError {
  constructor(what = 'blockOn()') {
    super(
      'ERR_SKEIN_NESTED_RUNTIME',
      `cannot start a runtime from within a runtime: ${what} was called on a multi-thread worker thread, ` +
        "which already runs this runtime's tasks. Inside a task, `await` the promise (or `await f()`) instead, " +
        'or `await spawn(f)` to run it as a task of its own',
    );
  }
}

// A task that lets it propagate panics with it as cause; the joining thread rebuilds the class.
registerErrorClass(NestedRuntimeError);
