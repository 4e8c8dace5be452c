/**
 * `TcpListener`: Tokio's TCP listener on a `node:net` server.
 *
 * Node accepts connections as they arrive and hands each to a 'connection' event. They wait
 * here, paused (nothing is read from them), until a task calls `accept()`. An accept takes
 * a connection off that queue only when its task runs, so a cancelled accept leaves it for
 * the next one.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { assertNumber, coop } from '@skein/core';
import { SocketClosedError } from '../errors.js';
import { completion, Readiness } from '../readiness.js';
import { parseAddr, toSocketAddr, type SocketAddr, type ToSocketAddr } from '../socket_addr.js';
import { tcpStreamOf, type TcpStream } from './tcp_stream.js';

/** Options for {@link TcpListener.bind}. */
export interface BindOptions {
  /** The kernel's accept backlog (Node's default 511). */
  readonly backlog?: number;
  /**
   * SO_REUSEPORT: several listeners (threads or processes) bind the same port and the
   * kernel spreads connections over them. Linux (and some BSDs), Node >= 22.12.
   */
  readonly reusePort?: boolean;
  /** For an IPv6 address, accept IPv6 only (no IPv4-mapped connections). */
  readonly ipv6Only?: boolean;
}

const swallow = (): void => {};

/** A listening TCP socket. */
export class TcpListener {
  readonly #server: Server;
  readonly #queue: Socket[] = [];
  readonly #acceptable = new Readiness();
  #error: Error | null = null;
  #closed = false;

  private constructor(server: Server) {
    this.#server = server;
    server.on('connection', (socket: Socket) => {
      if (this.#closed) {
        socket.destroy();
        return;
      }
      socket.on('error', swallow);
      this.#queue.push(socket);
      this.#acceptable.wake();
    });
    server.on('error', (err: Error) => {
      this.#error ??= err;
      this.#acceptable.wake();
    });
  }

  /**
   * Bind and listen on `addr` (`"127.0.0.1:0"`, `{ host, port }`; port 0 picks a free one).
   * Errors: Node's system error (`EADDRINUSE`, `EACCES`, `EADDRNOTAVAIL`); TypeError /
   * RangeError (`ERR_SOCKET_BAD_PORT`) for a malformed address or option.
   */
  static async bind(addr: ToSocketAddr, opts: BindOptions = {}): Promise<TcpListener> {
    const { host, port } = parseAddr(addr);
    if (opts.backlog !== undefined) assertNumber(opts.backlog, 'backlog', 0, true);
    const server = createServer({ pauseOnConnect: true, allowHalfOpen: true });
    const listener = new TcpListener(server);
    const done = completion<void>(() => server.close());
    const onError = (err: Error): void => done.fail(err);
    server.once('error', onError);
    server.listen({ host, port, backlog: opts.backlog, reusePort: opts.reusePort, ipv6Only: opts.ipv6Only }, () =>
      done.done(undefined),
    );
    try {
      await done.promise;
    } finally {
      server.off('error', onError);
    }
    return listener;
  }

  /**
   * Wait for the next connection.
   * Cancel safety: cancel-safe. A cancelled accept takes no connection off the queue.
   * Errors: SocketClosedError once the listener is closed; a listening error (`EMFILE`).
   */
  async accept(): Promise<[TcpStream, SocketAddr]> {
    const c = coop();
    if (c !== undefined) await c;
    for (;;) {
      if (this.#closed) throw new SocketClosedError('accept()');
      const socket = this.#queue.shift();
      if (socket !== undefined) {
        socket.off('error', swallow);
        const stream = tcpStreamOf(socket);
        return [
          stream,
          toSocketAddr({ address: socket.remoteAddress, port: socket.remotePort, family: socket.remoteFamily }),
        ];
      }
      if (this.#error !== null) throw this.#error;
      await this.#acceptable.wait();
    }
  }

  /** The address it listens on. */
  localAddr(): SocketAddr {
    const a = this.#server.address();
    if (a === null || typeof a === 'string') throw new SocketClosedError('localAddr()');
    return toSocketAddr(a);
  }

  /**
   * Stop listening. Connections not yet accepted are closed; accepted streams stay open.
   * Pending and later `accept()` calls fail with SocketClosedError.
   */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#server.close();
    for (const s of this.#queue.splice(0)) s.destroy();
    this.#acceptable.wake();
  }

  /**
   * @internal For `serve()`: hand the listening socket and the connections not yet accepted
   * to another `node:net` server (an `http.Server`). The listener is closed afterwards.
   */
  transfer(): { server: Server; pending: Socket[] } {
    if (this.#closed) throw new SocketClosedError('serve()');
    this.#closed = true;
    this.#server.removeAllListeners('connection');
    const pending = this.#queue.splice(0);
    for (const s of pending) s.off('error', swallow);
    this.#acceptable.wake();
    return { server: this.#server, pending };
  }

  /** Yields what `accept()` resolves with, until the listener is closed. */
  async *[Symbol.asyncIterator](): AsyncGenerator<[TcpStream, SocketAddr]> {
    for (;;) {
      try {
        yield await this.accept();
      } catch (err) {
        if (err instanceof SocketClosedError) return;
        throw err;
      }
    }
  }

  /** `await using listener = ...` closes it. */
  async [Symbol.asyncDispose](): Promise<void> {
    this.close();
  }

  /** `using listener = ...` closes it. */
  [Symbol.dispose](): void {
    this.close();
  }
}
