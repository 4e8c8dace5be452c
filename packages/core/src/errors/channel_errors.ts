import { SkeinError } from './skein_error.js';

/** `send` failed because the channel is closed; the value comes back in `.value`. */
export class SendError<T = unknown> extends SkeinError {
  readonly value: T;
  constructor(
    value: T,
    message = 'channel closed: every receiver has been closed or dropped; the value is returned in `.value`',
  ) {
    super('ERR_SKEIN_SEND_CLOSED', message);
    this.value = value;
  }
}

/** `trySend` failed: the channel is `full` (try again later) or `closed`. */
export class TrySendError<T = unknown> extends SkeinError {
  readonly kind: 'full' | 'closed';
  readonly value: T;
  constructor(kind: 'full' | 'closed', value: T) {
    super(
      kind === 'full' ? 'ERR_SKEIN_TRY_SEND_FULL' : 'ERR_SKEIN_TRY_SEND_CLOSED',
      kind === 'full'
        ? 'channel full: no capacity right now; await send() to wait for room, or retry later'
        : 'channel closed: the receiver has been closed; the value is returned in `.value`',
    );
    this.kind = kind;
    this.value = value;
  }
}

/** `sendTimeout` failed: the deadline passed (`timeout`) or the channel is `closed`. */
export class SendTimeoutError<T = unknown> extends SkeinError {
  readonly kind: 'timeout' | 'closed';
  readonly value: T;
  constructor(kind: 'timeout' | 'closed', value: T) {
    super(
      kind === 'timeout' ? 'ERR_SKEIN_SEND_TIMEOUT' : 'ERR_SKEIN_SEND_CLOSED',
      kind === 'timeout'
        ? 'send timed out: the channel stayed full until the deadline; the value is returned in `.value`'
        : 'channel closed: the receiver has been closed; the value is returned in `.value`',
    );
    this.kind = kind;
    this.value = value;
  }
}

/** `recv` failed: every sender is gone (`closed`), or a broadcast receiver fell behind (`lagged`). */
export class RecvError extends SkeinError {
  readonly kind: 'closed' | 'lagged';
  /** How many values were skipped (broadcast `lagged` only; 0 otherwise). */
  readonly lagged: number;
  constructor(kind: 'closed' | 'lagged', lagged = 0) {
    super(
      kind === 'closed' ? 'ERR_SKEIN_RECV_CLOSED' : 'ERR_SKEIN_RECV_LAGGED',
      kind === 'closed'
        ? 'channel closed: the sender was closed or dropped before a value was sent'
        : `receiver lagged behind and skipped ${lagged} value(s); the next recv() returns the oldest value still retained`,
    );
    this.kind = kind;
    this.lagged = lagged;
  }
}

/** `tryRecv` found nothing: `empty` (try later), `disconnected` (senders gone) or `lagged`. */
export class TryRecvError extends SkeinError {
  readonly kind: 'empty' | 'disconnected' | 'lagged';
  readonly lagged: number;
  constructor(kind: 'empty' | 'disconnected' | 'lagged', lagged = 0) {
    super(
      `ERR_SKEIN_TRY_RECV_${kind.toUpperCase()}`,
      kind === 'empty'
        ? 'channel empty: no value is ready; await recv() to wait for one'
        : kind === 'disconnected'
          ? 'channel disconnected: every sender has closed and the buffer is drained'
          : `receiver lagged behind and skipped ${lagged} value(s)`,
    );
    this.kind = kind;
    this.lagged = lagged;
  }
}
