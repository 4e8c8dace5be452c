/**
 * A thenable that rejects: resolving a promise with one settles it as rejected (one extra
 * microtask). Waiters keep one in their `value` to fail an await; a primitive may put one
 * there from its `run` override to fail a woken await.
 */
export class Rejection {
  readonly #reason: unknown;
  constructor(reason: unknown) {
    this.#reason = reason;
  }
  then(_resolve: unknown, reject: (reason: unknown) => void): void {
    reject(this.#reason);
  }
}
