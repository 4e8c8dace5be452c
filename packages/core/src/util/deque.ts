/**
 * skein's one FIFO queue: a growable ring buffer with O(1) push and shift at both ends and
 * no allocation per entry. The scheduler's run queue, channels, JoinSet's finished tasks,
 * the blocking pool's waiting jobs and a spawner's waiting spawns all use it.
 *
 * - `shift` is O(1) (an array's `shift` moves every element), and `unshift` puts a value
 *   back at the front (a `recv` cancelled after it was handed a value returns it there, so
 *   nothing is lost or reordered).
 * - Its memory follows what is still queued: spawning a million tasks queues a million task
 *   starts at once, and they drain 128 polls per event-loop turn. The ring halves whenever
 *   it is less than a quarter full (above a small floor), so a drained burst gives its
 *   memory back as it drains, not only once empty; each halving copies what is left, which
 *   is amortised O(1) per entry.
 *
 * - One class for every element type costs nothing: each ring is made by
 *   `new Array(n).fill(undefined)`, which V8 gives the same generic, non-holey element
 *   kind whatever is queued later (tasks, waiters, numbers), so the run queue and the
 *   channels share monomorphic loads and stores (checked with `node --log-ic`).
 *
 * Tokio's queues are linked lists of fixed blocks so that producers on many threads can
 * write concurrently; with one thread a power-of-two ring is simpler and faster.
 */

/** Below this capacity a ring never shrinks. */
const MIN_SHRINK = 4096;

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

  /** Entries queued and not yet taken. */
  get length(): number {
    return this.#len;
  }

  /** Append at the back. */
  push(v: T): void {
    if (this.#len === this.#buf.length) this.#resize(this.#buf.length * 2);
    this.#buf[(this.#head + this.#len) & this.#mask] = v;
    this.#len++;
  }

  /** Put back at the front. */
  unshift(v: T): void {
    if (this.#len === this.#buf.length) this.#resize(this.#buf.length * 2);
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
    const len = --this.#len;
    // The floor first: most rings (a channel's, a quiet run queue's) never pass it, so a
    // shift costs one comparison here.
    if (buf.length > MIN_SHRINK && len < buf.length >> 2) this.#resize(buf.length >> 1);
    return v;
  }

  /** The front value without removing it. */
  peek(): T | undefined {
    return this.#len === 0 ? undefined : this.#buf[this.#head];
  }

  /** Drop every value. */
  clear(): void {
    this.#buf = new Array<T | undefined>(16).fill(undefined);
    this.#mask = 15;
    this.#head = 0;
    this.#len = 0;
  }

  /** Remove and return every value, front first. */
  drain(): T[] {
    const out = [...this];
    this.clear();
    return out;
  }

  /** Every value, front first, without removing any. */
  *[Symbol.iterator](): Generator<T> {
    for (let i = 0; i < this.#len; i++) yield this.#buf[(this.#head + i) & this.#mask] as T;
  }

  #resize(n: number): void {
    const old = this.#buf;
    const buf = new Array<T | undefined>(n).fill(undefined);
    for (let i = 0; i < this.#len; i++) buf[i] = old[(this.#head + i) & this.#mask];
    this.#buf = buf;
    this.#mask = n - 1;
    this.#head = 0;
  }
}
