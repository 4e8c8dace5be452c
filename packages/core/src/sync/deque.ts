/**
 * A growable ring buffer: O(1) push and shift at both ends, no per-message allocation.
 *
 * Channels need a FIFO queue whose `shift` is O(1) (an array's `shift` moves every element)
 * and that can put a value back at the front (a `recv` cancelled after it was handed a
 * value returns it there, so nothing is lost or reordered). Tokio's mpsc uses a linked list
 * of fixed blocks so that producers on many threads can write concurrently; with one thread
 * a power-of-two ring is simpler and faster.
 */

/** A double-ended FIFO queue over a power-of-two ring. */
export class Deque<T> {
  #buf: (T | undefined)[];
  #mask: number;
  #head = 0;
  #len = 0;

  constructor(initialCapacity = 16) {
    let n = 4;
    while (n < initialCapacity) n *= 2;
    this.#buf = new Array<T | undefined>(n).fill(undefined);
    this.#mask = n - 1;
  }

  get length(): number {
    return this.#len;
  }

  /** Append at the back. */
  push(v: T): void {
    if (this.#len === this.#buf.length) this.#grow();
    this.#buf[(this.#head + this.#len) & this.#mask] = v;
    this.#len++;
  }

  /** Put back at the front. */
  unshift(v: T): void {
    if (this.#len === this.#buf.length) this.#grow();
    this.#head = (this.#head - 1) & this.#mask;
    this.#buf[this.#head] = v;
    this.#len++;
  }

  /** Remove from the front; undefined when empty. */
  shift(): T | undefined {
    if (this.#len === 0) return undefined;
    const buf = this.#buf;
    const h = this.#head;
    const v = buf[h];
    buf[h] = undefined;
    this.#head = (h + 1) & this.#mask;
    if (--this.#len === 0 && buf.length > 4096) this.#reset();
    return v;
  }

  /** The front value without removing it. */
  peek(): T | undefined {
    return this.#len === 0 ? undefined : this.#buf[this.#head];
  }

  /** Drop every value. */
  clear(): void {
    this.#buf.fill(undefined);
    this.#head = 0;
    this.#len = 0;
  }

  // A burst leaves a large ring behind; once drained, give the memory back.
  #reset(): void {
    this.#buf = new Array<T | undefined>(16).fill(undefined);
    this.#mask = 15;
    this.#head = 0;
  }

  #grow(): void {
    const old = this.#buf;
    const n = old.length;
    const buf = new Array<T | undefined>(n * 2).fill(undefined);
    for (let i = 0; i < n; i++) buf[i] = old[(this.#head + i) & this.#mask];
    this.#buf = buf;
    this.#mask = n * 2 - 1;
    this.#head = 0;
  }
}
