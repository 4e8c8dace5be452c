import { SkeinError } from './skein_error.js';

/** `Semaphore.acquire` failed because the semaphore was closed. */
export class AcquireError extends SkeinError {
  constructor() {
    super('ERR_SKEIN_SEMAPHORE_CLOSED', 'semaphore closed: no permits will be handed out any more');
  }
}

/** `tryAcquire` failed: the semaphore is `closed`, or has `noPermits` right now. */
export class TryAcquireError extends SkeinError {
  readonly kind: 'closed' | 'noPermits';
  constructor(kind: 'closed' | 'noPermits') {
    super(
      kind === 'closed' ? 'ERR_SKEIN_SEMAPHORE_CLOSED' : 'ERR_SKEIN_NO_PERMITS',
      kind === 'closed'
        ? 'semaphore closed: no permits will be handed out any more'
        : 'not enough permits available right now; await acquire() to wait for them',
    );
    this.kind = kind;
  }
}

/** `tryLock` / `tryRead` / `tryWrite` found the lock held. */
export class TryLockError extends SkeinError {
  constructor(what = 'lock') {
    super('ERR_SKEIN_WOULD_BLOCK', `${what} is held by someone else right now; await the async method to wait for it`);
  }
}

/** A guard or permit was used after it was released. */
export class AlreadyReleasedError extends SkeinError {
  constructor(what = 'guard') {
    super(
      'ERR_SKEIN_ALREADY_RELEASED',
      `this ${what} was already released; release it exactly once (\`using\` does it for you)`,
    );
  }
}

/** `OnceCell.set` failed: the cell is `alreadyInitialized`, or `initializing` (a `getOrInit` is running). */
export class SetError<T = unknown> extends SkeinError {
  readonly kind: 'alreadyInitialized' | 'initializing';
  /** The value that was not stored. */
  readonly value: T;
  constructor(kind: 'alreadyInitialized' | 'initializing', value: T) {
    super(
      kind === 'alreadyInitialized' ? 'ERR_SKEIN_ONCE_CELL_INITIALIZED' : 'ERR_SKEIN_ONCE_CELL_INITIALIZING',
      kind === 'alreadyInitialized'
        ? 'the OnceCell already holds a value; a OnceCell is set at most once (use get() to read it)'
        : 'the OnceCell is being initialized by getOrInit(); await getOrInit() instead of calling set()',
    );
    this.kind = kind;
    this.value = value;
  }
}
