/**
 * The scheduler's FIFO run queue: a linked list of fixed-size blocks.
 *
 * Spawning a million tasks queues a million task starts at once, and the queue then drains
 * 128 polls per event-loop turn. A plain array (with a moving head) keeps its high-water
 * capacity until it is entirely empty, and compacting it means copying what is left. With
 * blocks, each block is released as soon as the drain has read past it, so the memory the
 * queue holds follows what is still queued, and nothing is ever copied. This is Tokio's
 * inject-queue shape (a linked list of blocks) and Node's own `FixedQueue` for nextTick.
 */

/** Slots per block: a power of two, large enough that allocating one is rare. */
const BLOCK = 2048;

class Block<T> {
  readonly slots: (T | undefined)[] = new Array<T | undefined>(BLOCK).fill(undefined);
  /** Next slot to write. */
  top = 0;
  /** Next slot to read. */
  bottom = 0;
  next: Block<T> | null = null;
}

/** A FIFO queue whose memory shrinks as it drains. */
export class RunQueue<T> {
  /** The block being read. */
  #head: Block<T> = new Block<T>();
  /** The block being written. */
  #tail: Block<T> = this.#head;
  #length = 0;

  /** Entries queued and not yet taken. */
  get length(): number {
    return this.#length;
  }

  /** Append `item` at the back. */
  push(item: T): void {
    let tail = this.#tail;
    if (tail.top === BLOCK) {
      tail = tail.next = new Block<T>();
      this.#tail = tail;
    }
    tail.slots[tail.top++] = item;
    this.#length++;
  }

  /** Take the front entry, or undefined when empty. */
  shift(): T | undefined {
    let head = this.#head;
    if (head.bottom === head.top) {
      const next = head.next;
      if (next === null) return undefined;
      // The drained block is dropped here, so it can be collected.
      head = this.#head = next;
    }
    const item = head.slots[head.bottom]!;
    head.slots[head.bottom++] = undefined;
    this.#length--;
    if (head.bottom === head.top && head.next === null) {
      // Empty: reuse the one remaining block from its start.
      head.bottom = 0;
      head.top = 0;
    }
    return item;
  }
}
