/**
 * The I/O machinery under a TcpStream and its split halves: a `node:net` socket in flowing
 * mode, its chunks queued here, and written with `socket.write(buf, cb)`.
 *
 * Reads follow the readiness model (see readiness.ts): a chunk waits in the queue until the
 * task, once it runs, takes bytes out of it itself, so a cancelled read loses nothing.
 *
 * Flowing mode rather than `socket.read()` in paused mode: a paused socket whose buffer
 * reaches its high-water mark stops libuv reading, and the `read()` that empties it starts
 * it again, a stop and a start per chunk for a task that keeps up (tcp_echo measured half
 * again as many full GCs per byte as node:net's pipe that way, and about a tenth more CPU
 * per byte than now). Here the socket is paused only once more than a high-water mark's
 * worth of chunks waits in the queue, so memory stays bounded: the queue, plus the stream's
 * own buffer up to its mark, then libuv stops reading and TCP flow control pushes back on
 * the peer.
 *
 * Writes resolve on the write callback, when libuv handed the bytes to the kernel, so a
 * fast writer waits for a slow reader.
 */
import type { Socket } from 'node:net';
import { coop } from '@skein/core';
import { Deque } from '@skein/core/internal';
import { checkBuffer } from '../buffer_arg.js';
import { SocketClosedError, UnexpectedEofError, WriteAfterShutdownError } from '../errors.js';
import { completion, Readiness } from '../readiness.js';
import { toSocketAddr, type SocketAddr } from '../socket_addr.js';

/** The shared state of one TCP connection. */
export class StreamIo {
  readonly socket: Socket;
  /** Chunks the socket emitted that no read has taken yet, oldest first. */
  readonly #chunks = new Deque<Buffer>(4);
  /** Bytes in `#chunks`. */
  #queued = 0;
  /** True while the queue holds more than the socket's high-water mark (socket paused). */
  #paused = false;
  #leftover: Buffer | null = null;
  #error: Error | null = null;
  #eof = false;
  #closed = false;
  #shut = false;
  readonly #readable = new Readiness();

  constructor(socket: Socket) {
    this.socket = socket;
    const wake = (): void => this.#readable.wake();
    socket.on('data', (chunk: Buffer) => {
      this.#chunks.push(chunk);
      this.#queued += chunk.length;
      if (this.#queued > socket.readableHighWaterMark && !this.#paused) {
        this.#paused = true;
        socket.pause();
      }
      wake();
    });
    // An accepted socket starts with flowing explicitly off (pauseOnConnect), which a 'data'
    // listener alone does not turn on.
    socket.resume();
    socket.on('end', () => {
      this.#eof = true;
      wake();
    });
    // Always listened to, so a reset never becomes an uncaught 'error' event; the next
    // read or write reports it.
    socket.on('error', (err: Error) => {
      this.#error ??= err;
      wake();
    });
    socket.on('close', wake);
  }

  /** True once `close()` ran on this side. */
  get closed(): boolean {
    return this.#closed;
  }

  /** See TcpStream.read. */
  async read(buf: Uint8Array): Promise<number> {
    checkBuffer(buf);
    const c = coop();
    if (c !== undefined) await c;
    for (;;) {
      const n = this.#tryRead(buf);
      if (n !== undefined) return n;
      await this.#readable.wait();
    }
  }

  /** See TcpStream.readExact. */
  async readExact(buf: Uint8Array): Promise<void> {
    checkBuffer(buf);
    let off = 0;
    while (off < buf.length) {
      const n = await this.read(buf.subarray(off));
      if (n === 0) throw new UnexpectedEofError(off, buf.length);
      off += n;
    }
  }

  /** See TcpStream.readToEnd. */
  async readToEnd(): Promise<Uint8Array> {
    const c = coop();
    if (c !== undefined) await c;
    const chunks: Buffer[] = [];
    for (;;) {
      const chunk = this.#takeChunk();
      if (chunk === 0) return Buffer.concat(chunks);
      if (chunk !== undefined) chunks.push(chunk);
      else await this.#readable.wait();
    }
  }

  /** See TcpStream.write. */
  async write(buf: Uint8Array): Promise<number> {
    checkBuffer(buf);
    this.#checkWritable();
    const c = coop();
    if (c !== undefined) await c;
    this.#checkWritable();
    if (buf.length === 0) return 0;
    const socket = this.socket;
    let done: ReturnType<typeof completion<void>> | undefined;
    let failed: Error | null | undefined;
    socket.write(buf, (err) => {
      if (done === undefined) failed = err ?? null;
      else if (err) done.fail(this.#error ?? err);
      else done.done(undefined);
    });
    // Node's queue is empty: libuv wrote every byte to the kernel before write() returned,
    // so `buf` is free again and there is nothing to wait for.
    if (socket.writableLength === 0 && !failed) return buf.length;
    if (failed !== undefined) {
      if (failed !== null) throw this.#error ?? failed;
      return buf.length;
    }
    done = completion<void>();
    await done.promise;
    return buf.length;
  }

  /** See TcpStream.shutdown. */
  async shutdown(): Promise<void> {
    if (this.#closed) throw new SocketClosedError('shutdown()');
    if (this.#shut) return;
    this.#shut = true;
    const done = completion<void>();
    this.socket.end(() => done.done(undefined));
    // end()'s callback is not called when the socket is destroyed first (an abort, a reset).
    const onClose = (): void => {
      done.done(undefined);
    };
    this.socket.once('close', onClose);
    try {
      await done.promise;
    } finally {
      this.socket.off('close', onClose);
    }
    if (this.#error !== null) throw this.#error;
  }

  /** Half-close without waiting (a dropped write half). */
  endNow(): void {
    if (this.#shut || this.#closed) return;
    this.#shut = true;
    this.socket.end();
  }

  /** Close both directions now (Rust's drop of the stream). Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#leftover = null;
    this.#chunks.clear();
    this.#queued = 0;
    this.socket.destroy();
    this.#readable.wake();
  }

  peerAddr(): SocketAddr {
    const { remoteAddress, remotePort, remoteFamily } = this.socket;
    if (remoteAddress === undefined) throw new SocketClosedError('peerAddr()');
    return toSocketAddr({ address: remoteAddress, port: remotePort, family: remoteFamily });
  }

  localAddr(): SocketAddr {
    const { localAddress, localPort, localFamily } = this.socket;
    if (localAddress === undefined) throw new SocketClosedError('localAddr()');
    return toSocketAddr({ address: localAddress, port: localPort, family: localFamily });
  }

  /** Bytes into `buf`, 0 at the end, or undefined when nothing is buffered yet. */
  #tryRead(buf: Uint8Array): number | undefined {
    if (buf.length === 0) return 0;
    const chunk = this.#takeChunk();
    if (chunk === undefined || chunk === 0) return chunk;
    const n = Math.min(buf.length, chunk.length);
    buf.set(n === chunk.length ? chunk : chunk.subarray(0, n));
    if (n < chunk.length) this.#leftover = chunk.subarray(n);
    return n;
  }

  /** The next buffered bytes, 0 at the end of the stream, undefined when none are ready. */
  #takeChunk(): Buffer | 0 | undefined {
    const left = this.#leftover;
    if (left !== null) {
      this.#leftover = null;
      return left;
    }
    if (this.#closed) throw new SocketClosedError('read()');
    const chunk = this.#chunks.shift();
    if (chunk !== undefined) {
      this.#queued -= chunk.length;
      if (this.#paused && this.#queued <= this.socket.readableHighWaterMark) {
        this.#paused = false;
        this.socket.resume();
      }
      return chunk;
    }
    if (this.#error !== null) throw this.#error;
    if (this.#eof || this.socket.destroyed) return 0;
    return undefined;
  }

  #checkWritable(): void {
    if (this.#closed) throw new SocketClosedError('write()');
    if (this.#error !== null) throw this.#error;
    if (this.#shut) throw new WriteAfterShutdownError();
  }
}
