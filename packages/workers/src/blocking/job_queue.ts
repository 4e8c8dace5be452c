/**
 * The pool's FIFO of jobs waiting for a thread.
 *
 * Unbounded, like Tokio's blocking queue. An array with a moving head: `shift()` is O(1)
 * and the consumed prefix is dropped once it is both large and at least half the array.
 * Cancelled jobs are not spliced out (O(n)); the pool marks them and skips them on the way
 * out, and counts waiting jobs itself.
 */

/** Compact once this many consumed entries sit at the front. */
const COMPACT_AT = 1_024;

/** A FIFO with O(1) push and shift. */
export class JobQueue<T> {
  #items: (T | undefined)[] = [];
  #head = 0;

  /** Entries still in the queue (skipped ones included until they are shifted out). */
  get length(): number {
    return this.#items.length - this.#head;
  }

  /** Append at the tail. */
  push(item: T): void {
    this.#items.push(item);
  }

  /** Take the head, or `undefined` when empty. */
  shift(): T | undefined {
    if (this.#head >= this.#items.length) return undefined;
    const item = this.#items[this.#head];
    this.#items[this.#head++] = undefined;
    if (this.#head === this.#items.length) {
      this.#items = [];
      this.#head = 0;
    } else if (this.#head >= COMPACT_AT && this.#head * 2 >= this.#items.length) {
      this.#items = this.#items.slice(this.#head);
      this.#head = 0;
    }
    return item;
  }

  /** Remove and return everything, in order. */
  drain(): T[] {
    const rest = this.#items.slice(this.#head) as T[];
    this.#items = [];
    this.#head = 0;
    return rest;
  }
}
