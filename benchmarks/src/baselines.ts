/**
 * Hand-written baselines: the smallest promise-based versions of a channel, a mutex and a
 * semaphore that someone would write without a runtime. They skip everything skein adds
 * (cancellation, the cooperative budget, metrics), which is the point of comparing.
 */

/** A FIFO queue with promise hand-off, optionally bounded. */
export class ArrayChannel<T> {
  #buf: T[] = [];
  #head = 0;
  #recvWaiter: ((v: T | undefined) => void) | undefined;
  #sendWaiters: (() => void)[] = [];
  #closed = false;
  constructor(readonly capacity = Infinity) {}

  send(v: T): Promise<void> | void {
    if (this.#recvWaiter !== undefined) {
      const r = this.#recvWaiter;
      this.#recvWaiter = undefined;
      r(v);
      return;
    }
    if (this.#buf.length - this.#head < this.capacity) {
      this.#buf.push(v);
      return;
    }
    return new Promise<void>((resolve) => this.#sendWaiters.push(resolve)).then(() => this.send(v));
  }

  recv(): Promise<T | undefined> | T {
    if (this.#head < this.#buf.length) {
      const v = this.#buf[this.#head++]!;
      if (this.#head > 1024 && this.#head * 2 > this.#buf.length) {
        this.#buf = this.#buf.slice(this.#head);
        this.#head = 0;
      }
      this.#sendWaiters.shift()?.();
      return v;
    }
    if (this.#closed) return Promise.resolve(undefined);
    return new Promise((resolve) => {
      this.#recvWaiter = resolve;
    });
  }

  close(): void {
    this.#closed = true;
    this.#recvWaiter?.(undefined);
  }
}

/** A FIFO promise mutex. */
export class ArrayMutex {
  #locked = false;
  #waiters: (() => void)[] = [];
  lock(): Promise<void> {
    if (!this.#locked) {
      this.#locked = true;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.#waiters.push(resolve));
  }
  unlock(): void {
    const next = this.#waiters.shift();
    if (next !== undefined) next();
    else this.#locked = false;
  }
}

/** A FIFO promise semaphore. */
export class ArraySemaphore {
  #waiters: (() => void)[] = [];
  constructor(private permits: number) {}
  acquire(): Promise<void> {
    if (this.permits > 0 && this.#waiters.length === 0) {
      this.permits--;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.#waiters.push(resolve));
  }
  release(): void {
    const next = this.#waiters.shift();
    if (next !== undefined) next();
    else this.permits++;
  }
}
