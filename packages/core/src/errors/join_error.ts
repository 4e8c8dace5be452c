import { SkeinError } from './skein_error.js';

/**
 * Why a task did not produce a value: it was aborted (`isCancelled()`) or it threw
 * (`isPanic()`, with the thrown value as `cause`). Tokio's `JoinError`.
 */
export class JoinError extends SkeinError {
  /** The id of the task that failed (its JoinHandle's id). */
  readonly taskId: number;
  readonly #kind: 'cancelled' | 'panic';

  constructor(kind: 'cancelled' | 'panic', taskId: number, cause?: unknown) {
    super(
      kind === 'cancelled' ? 'ERR_SKEIN_JOIN_CANCELLED' : 'ERR_SKEIN_JOIN_PANIC',
      kind === 'cancelled'
        ? `task ${taskId} was cancelled`
        : `task ${taskId} panicked: ${describeCause(cause)}. The original error is in \`.cause\``,
      kind === 'panic' ? { cause } : undefined,
    );
    this.taskId = taskId;
    this.#kind = kind;
  }

  /** True when the task was aborted (or the runtime shut down) before it finished. */
  isCancelled(): boolean {
    return this.#kind === 'cancelled';
  }
  /** True when the task threw; `cause` is what it threw. */
  isPanic(): boolean {
    return this.#kind === 'panic';
  }
}

function describeCause(cause: unknown): string {
  if (cause instanceof Error) return `${cause.name}: ${cause.message}`;
  try {
    return String(cause);
  } catch {
    return 'a value that cannot be printed';
  }
}
