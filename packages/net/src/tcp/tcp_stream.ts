/**
 * `TcpStream`: Tokio's TCP connection, on a `node:net` socket.
 */
import { connect as netConnect, type Socket } from 'node:net';
import { completion } from '../readiness.js';
import { parseAddr, type SocketAddr, type ToSocketAddr } from '../socket_addr.js';
import { TaskOwner } from '../task_owner.js';
import { readHalfOf, writeHalfOf, type ReadHalf, type WriteHalf } from './split.js';
import { StreamIo } from './stream_io.js';

/** Options for {@link TcpStream.connect}. */
export interface ConnectOptions {
  /** Disable Nagle's algorithm from the start (see `setNoDelay`). */
  readonly noDelay?: boolean;
  /** The local address to bind before connecting. */
  readonly localAddress?: string;
}

/** Set by TcpStream's static block, the one place that may call its private constructor. */
let construct: (socket: Socket) => TcpStream;

/**
 * A stream over a connected socket. `TcpListener.accept` makes streams through this, so the
 * constructor can stay private and out of the public declarations.
 */
export function tcpStreamOf(socket: Socket): TcpStream {
  return construct(socket);
}

/**
 * A TCP connection. Reads and writes are runtime awaits: they wake the task through the
 * scheduler, charge the cooperative budget and reject with `Cancelled` when the task is
 * aborted.
 *
 * The stream belongs to the last task that read, wrote or shut it down; aborting that task
 * closes it (Rust's drop). Use `close()` (or `using`) to close it yourself.
 */
export class TcpStream {
  readonly #io: StreamIo;
  readonly #owner: TaskOwner;

  /** Use `TcpStream.connect` or `TcpListener.accept`. */
  private constructor(socket: Socket) {
    this.#io = new StreamIo(socket);
    this.#owner = new TaskOwner(() => this.#io.close());
  }

  static {
    construct = (socket) => new TcpStream(socket);
  }

  /**
   * Open a connection to `addr` (`"127.0.0.1:8080"` or `{ host, port }`).
   * Errors: Node's system error (`ECONNREFUSED`, `ENOTFOUND`, ...); TypeError / RangeError
   * (`ERR_SOCKET_BAD_PORT`) for a malformed address.
   * Cancel safety: cancelling (abort, `timeout`) destroys the half-open socket.
   */
  static async connect(addr: ToSocketAddr, opts: ConnectOptions = {}): Promise<TcpStream> {
    const { host, port } = parseAddr(addr);
    const socket = netConnect({
      host,
      port,
      noDelay: opts.noDelay,
      localAddress: opts.localAddress,
      allowHalfOpen: true,
    });
    const stream = new TcpStream(socket);
    const done = completion<void>(() => stream.close());
    const onConnect = (): void => done.done(undefined);
    const onError = (err: Error): void => done.fail(err);
    socket.once('connect', onConnect);
    socket.once('error', onError);
    try {
      await done.promise;
    } finally {
      socket.off('connect', onConnect);
      socket.off('error', onError);
    }
    stream.#owner.claim();
    return stream;
  }

  /**
   * Read into `buf`; resolves with the number of bytes read, 0 at the end of the stream
   * (or when `buf` is empty).
   * Cancel safety: cancel-safe. A cancelled read took no bytes; the next read gets them.
   * Errors: the socket's error (`ECONNRESET`, ...); SocketClosedError after `close()`.
   */
  read(buf: Uint8Array): Promise<number> {
    this.#owner.claim();
    return this.#io.read(buf);
  }

  /**
   * Fill `buf` completely.
   * Errors: UnexpectedEofError when the stream ends first.
   * Cancel safety: not cancel-safe: bytes already read into `buf` stay there, and the
   * caller can't tell how many.
   */
  readExact(buf: Uint8Array): Promise<void> {
    this.#owner.claim();
    return this.#io.readExact(buf);
  }

  /** Read until the end of the stream. Not cancel-safe: what was read is dropped. */
  readToEnd(): Promise<Uint8Array> {
    this.#owner.claim();
    return this.#io.readToEnd();
  }

  /**
   * Write `buf`; resolves with `buf.length` once the socket has taken every byte (handed
   * them to the kernel), so a writer can't outrun a slow reader. `buf` may be reused then.
   * Cancel safety: a cancelled write may still send `buf`, whole (Node queues it at once).
   * Errors: the socket's error (`EPIPE`, `ECONNRESET`); WriteAfterShutdownError;
   * SocketClosedError.
   */
  write(buf: Uint8Array): Promise<number> {
    this.#owner.claim();
    return this.#io.write(buf);
  }

  /** Write all of `buf` (same as `write`, which never writes part of a buffer). */
  async writeAll(buf: Uint8Array): Promise<void> {
    this.#owner.claim();
    await this.#io.write(buf);
  }

  /**
   * Half-close: flush what was written, then send FIN. Reads still work, until the peer
   * closes its side. Resolves when the FIN was handed to the kernel.
   */
  shutdown(): Promise<void> {
    this.#owner.claim();
    return this.#io.shutdown();
  }

  /**
   * Split into a read half and a write half that two tasks can use at once (Tokio's
   * `into_split`). Each half belongs to the task using it: aborting the reader's task
   * drops the read half, aborting the writer's task half-closes (FIN); the connection
   * closes once both are dropped. Use the halves, not the stream, afterwards.
   */
  split(): [ReadHalf, WriteHalf] {
    this.#owner.release();
    const io = this.#io;
    let dropped = 0;
    const drop = (): void => {
      if (++dropped === 2) io.close();
    };
    return [readHalfOf(io, drop), writeHalfOf(io, drop)];
  }

  /** The remote address. Errors: SocketClosedError once closed. */
  peerAddr(): SocketAddr {
    return this.#io.peerAddr();
  }

  /** The local address. Errors: SocketClosedError once closed. */
  localAddr(): SocketAddr {
    return this.#io.localAddr();
  }

  /** Disable (true) or enable Nagle's algorithm (TCP_NODELAY). */
  setNoDelay(noDelay = true): void {
    this.#io.socket.setNoDelay(noDelay);
  }

  /** Close both directions at once, dropping unsent data (Rust's drop). Idempotent. */
  close(): void {
    this.#owner.release();
    this.#io.close();
  }

  /** `using stream = ...` closes it. */
  [Symbol.dispose](): void {
    this.close();
  }
}
