/**
 * The errors cancellation produces: the Cancelled a pending await rejects with, and the
 * cancelled JoinError its task's handle reports.
 *
 * Cancelling is bulk work (a shutdown cancels every task; an abort, every await of a
 * scope), and capturing a stack trace costs about 15 times the rest of constructing an
 * error: it was most of the time of shutting down a million sleeping tasks. The stack would
 * show only the cancelling code anyway, not the await that rejects, so it is left out.
 */
import { JoinError } from '../errors/join_error.js';
import { Cancelled } from '../errors/skein_error.js';
import { Rejection } from './rejection.js';

/** A Cancelled error without a stack trace. */
export function cancelledError(): Cancelled {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    return new Cancelled();
  } finally {
    Error.stackTraceLimit = limit;
  }
}

/** A cancelled JoinError for task `taskId`, without a stack trace. */
export function cancelledJoinError(taskId: number): JoinError {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    return new JoinError('cancelled', taskId);
  } finally {
    Error.stackTraceLimit = limit;
  }
}

/**
 * One cancellation's `Cancelled` error, made once and shared by every await it rejects,
 * already wrapped as the {@link Rejection} a waiter settles with.
 */
export class CancelReason extends Rejection {
  readonly error: Cancelled;
  /**
   * The same rejection as a native promise, which a waiter resolves with: V8 adopts a
   * native promise's state without the resolving functions and the call a thenable costs
   * (about a third of the runtime's share of shutting down a million sleepers). Made on
   * first use: most cancellations reject one await or none.
   */
  get rejected(): Promise<never> {
    if (this.#rejected === undefined) {
      this.#rejected = Promise.reject(this.error);
      this.#rejected.catch(ignore);
    }
    return this.#rejected;
  }
  #rejected: Promise<never> | undefined = undefined;
  constructor(error: Cancelled = cancelledError()) {
    super(error);
    this.error = error;
  }
}

function ignore(): void {}
