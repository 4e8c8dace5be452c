/** The errors @skein/net adds to core's hierarchy. Socket failures themselves are Node's system errors. */
import { SkeinError } from '@skein/core';

/**
 * The socket was closed by this side (`close()`, its owning task was aborted, or the
 * listener or server was closed) and can't be used any more. Open a new one.
 */
export class SocketClosedError extends SkeinError {
  constructor(what: string) {
    super(
      'ERR_SKEIN_SOCKET_CLOSED',
      `${what}: the socket was closed on this side (close(), or its owning task was aborted). Create or accept a new one`,
    );
  }
}

/** A write after `shutdown()`: the write side was already half-closed. */
export class WriteAfterShutdownError extends SkeinError {
  constructor() {
    super(
      'ERR_SKEIN_WRITE_AFTER_SHUTDOWN',
      'write after shutdown(): the write side of this stream is half-closed (FIN sent). Write before shutting down',
    );
  }
}

/** `readExact` reached the end of the stream before the buffer was full (Tokio's `UnexpectedEof`). */
export class UnexpectedEofError extends SkeinError {
  /** Bytes read into the buffer before the end. */
  readonly bytesRead: number;
  constructor(bytesRead: number, wanted: number) {
    super(
      'ERR_SKEIN_UNEXPECTED_EOF',
      `the peer closed the stream after ${bytesRead} of ${wanted} bytes; readExact needs them all. Use read() to take what arrives`,
    );
    this.bytesRead = bytesRead;
  }
}
