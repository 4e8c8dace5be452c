/**
 * The halves of a split TcpStream (Tokio's `OwnedReadHalf` / `OwnedWriteHalf`): the same
 * connection, usable by two tasks at once, each half owned by the task using it.
 */
import type { SocketAddr } from '../socket_addr.js';
import { TaskOwner } from '../task_owner.js';
import type { StreamIo } from './stream_io.js';

/** Set by ReadHalf's static block, the one place that may call its private constructor. */
let constructRead: (io: StreamIo, drop: () => void) => ReadHalf;

/**
 * The read side of a stream being split. `TcpStream.split()` makes it through this, so the
 * constructor can stay private and out of the public declarations.
 */
export function readHalfOf(io: StreamIo, drop: () => void): ReadHalf {
  return constructRead(io, drop);
}

/** The read side of a split TcpStream. See TcpStream for each method. */
export class ReadHalf {
  readonly #io: StreamIo;
  readonly #owner: TaskOwner;
  readonly #drop: () => void;
  #dropped = false;

  /** Use `TcpStream.split()`. */
  private constructor(io: StreamIo, drop: () => void) {
    this.#io = io;
    this.#drop = drop;
    this.#owner = new TaskOwner(() => this.close());
  }

  static {
    constructRead = (io, drop) => new ReadHalf(io, drop);
  }

  /** Cancel-safe, like `TcpStream.read`. */
  read(buf: Uint8Array): Promise<number> {
    this.#owner.claim();
    return this.#io.read(buf);
  }

  readExact(buf: Uint8Array): Promise<void> {
    this.#owner.claim();
    return this.#io.readExact(buf);
  }

  readToEnd(): Promise<Uint8Array> {
    this.#owner.claim();
    return this.#io.readToEnd();
  }

  peerAddr(): SocketAddr {
    return this.#io.peerAddr();
  }

  localAddr(): SocketAddr {
    return this.#io.localAddr();
  }

  /** Drop the read half; the connection closes once the write half is dropped too. */
  close(): void {
    if (this.#dropped) return;
    this.#dropped = true;
    this.#owner.release();
    this.#drop();
  }

  [Symbol.dispose](): void {
    this.close();
  }
}

/** Set by WriteHalf's static block, the one place that may call its private constructor. */
let constructWrite: (io: StreamIo, drop: () => void) => WriteHalf;

/**
 * The write side of a stream being split. `TcpStream.split()` makes it through this, so the
 * constructor can stay private and out of the public declarations.
 */
export function writeHalfOf(io: StreamIo, drop: () => void): WriteHalf {
  return constructWrite(io, drop);
}

/** The write side of a split TcpStream. See TcpStream for each method. */
export class WriteHalf {
  readonly #io: StreamIo;
  readonly #owner: TaskOwner;
  readonly #drop: () => void;
  #dropped = false;

  /** Use `TcpStream.split()`. */
  private constructor(io: StreamIo, drop: () => void) {
    this.#io = io;
    this.#drop = drop;
    this.#owner = new TaskOwner(() => this.close());
  }

  static {
    constructWrite = (io, drop) => new WriteHalf(io, drop);
  }

  /** Backpressured, like `TcpStream.write`. */
  write(buf: Uint8Array): Promise<number> {
    this.#owner.claim();
    return this.#io.write(buf);
  }

  async writeAll(buf: Uint8Array): Promise<void> {
    this.#owner.claim();
    await this.#io.write(buf);
  }

  /** Half-close (FIN); the read half keeps reading. */
  shutdown(): Promise<void> {
    this.#owner.claim();
    return this.#io.shutdown();
  }

  peerAddr(): SocketAddr {
    return this.#io.peerAddr();
  }

  localAddr(): SocketAddr {
    return this.#io.localAddr();
  }

  /**
   * Drop the write half: half-closes (FIN) as Tokio's `OwnedWriteHalf` drop does; the
   * connection closes once the read half is dropped too.
   */
  close(): void {
    if (this.#dropped) return;
    this.#dropped = true;
    this.#owner.release();
    this.#io.endNow();
    this.#drop();
  }

  [Symbol.dispose](): void {
    this.close();
  }
}
