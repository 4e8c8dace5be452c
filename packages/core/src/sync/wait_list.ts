/**
 * The FIFO wait queue every sync primitive parks its waiters on.
 *
 * Tokio's primitives keep their waiters in an intrusive doubly-linked list
 * (`util::linked_list`): the waiter node lives inside the future that waits, so parking
 * allocates nothing beyond the future, and a future dropped mid-wait unlinks itself in
 * O(1). skein does the same: a {@link QueuedWaiter} *is* its list node (the kernel's
 * {@link Waiter} plus two links), so a parked task costs one object, and the cancel path
 * (`onCancel`) removes it without a scan. An array with tombstones would make cancellation
 * cheap too, but would leak slots under a steady stream of timeouts.
 *
 * The list knows nothing about permits, values or wake policies; the primitives decide
 * whom to wake. That split is what a shared-memory version can reuse: the queue discipline
 * and cancellation rules stay, only the storage changes.
 */
import { CallbackWaiter, type OnCancel } from '../task/waiter.js';

/** The links a {@link WaitList} owns on each of its nodes. */
export interface WaitNode {
  /** @internal Owned by the list. */
  listPrev: WaitNode | null;
  /** @internal Owned by the list. */
  listNext: WaitNode | null;
  /** @internal Owned by the list: true while linked. */
  listed: boolean;
}

/**
 * A runtime await that can sit in a {@link WaitList}. Primitives subclass it to carry their
 * bookkeeping (requested permits, the value to send…) in fields of their own.
 */
export class QueuedWaiter<T> extends CallbackWaiter<T> implements WaitNode {
  listPrev: WaitNode | null = null;
  listNext: WaitNode | null = null;
  listed = false;

  constructor(onCancel: OnCancel<T>) {
    super(onCancel);
  }
}

/** An intrusive FIFO doubly-linked list of waiters. */
export class WaitList<N extends WaitNode> {
  #head: N | null = null;
  #tail: N | null = null;
  #size = 0;

  /** Number of linked nodes. */
  get size(): number {
    return this.#size;
  }

  isEmpty(): boolean {
    return this.#head === null;
  }

  /** The oldest node, or null. */
  front(): N | null {
    return this.#head;
  }

  /** The newest node, or null. */
  back(): N | null {
    return this.#tail;
  }

  /** Append `n` (the newest waiter). */
  pushBack(n: N): void {
    n.listed = true;
    n.listNext = null;
    n.listPrev = this.#tail;
    if (this.#tail === null) this.#head = n;
    else this.#tail.listNext = n;
    this.#tail = n;
    this.#size++;
  }

  /** Prepend `n` (it goes first). */
  pushFront(n: N): void {
    n.listed = true;
    n.listPrev = null;
    n.listNext = this.#head;
    if (this.#head === null) this.#tail = n;
    else this.#head.listPrev = n;
    this.#head = n;
    this.#size++;
  }

  /** Unlink and return the oldest node, or null. */
  popFront(): N | null {
    const n = this.#head;
    if (n !== null) this.#unlink(n);
    return n;
  }

  /** Unlink and return the newest node, or null. */
  popBack(): N | null {
    const n = this.#tail;
    if (n !== null) this.#unlink(n);
    return n;
  }

  /** Unlink `n` if it is linked (the cancel path). Returns whether it was. */
  remove(n: N): boolean {
    if (!n.listed) return false;
    this.#unlink(n);
    return true;
  }

  /**
   * Detach every node at once and return them oldest first. Nodes that join while the
   * caller walks the result are not in it: "wake everyone waiting *now*" (Tokio's
   * `notify_waiters`, a broadcast send) must not wake waiters that arrive during the wake.
   */
  takeAll(): N[] {
    const out: N[] = [];
    let n = this.#head;
    while (n !== null) {
      const next = n.listNext as N | null;
      n.listPrev = null;
      n.listNext = null;
      n.listed = false;
      out.push(n);
      n = next;
    }
    this.#head = null;
    this.#tail = null;
    this.#size = 0;
    return out;
  }

  #unlink(n: N): void {
    const prev = n.listPrev as N | null;
    const next = n.listNext as N | null;
    if (prev === null) this.#head = next;
    else prev.listNext = next;
    if (next === null) this.#tail = prev;
    else next.listPrev = prev;
    n.listPrev = null;
    n.listNext = null;
    n.listed = false;
    this.#size--;
  }
}
