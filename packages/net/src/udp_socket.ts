/**
 * `UdpSocket`: Tokio's UDP socket on `node:dgram`.
 *
 * dgram has no paused mode: datagrams arrive as events whether a task is receiving or not.
 * They wait in a bounded queue (`recvQueue` datagrams, default 1024) until a task takes
 * them; when it is full, new datagrams are dropped, as the kernel drops them when its own
 * buffer is full. A receive takes a datagram only when its task runs, so a cancelled
 * `recvFrom` loses none.
 */
import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import { isIP } from 'node:net';
import { assertNumber, coop, typeError } from '@skein/core';
import { checkBuffer } from './buffer_arg.js';
import { SocketClosedError } from './errors.js';
import { completion, Readiness } from './readiness.js';
import { parseAddr, toSocketAddr, type HostPort, type SocketAddr, type ToSocketAddr } from './socket_addr.js';

/** Options for {@link UdpSocket.bind}. */
export interface UdpBindOptions {
  /** Datagrams held for receivers before new ones are dropped (default 1024). */
  readonly recvQueue?: number;
  /** SO_REUSEADDR. */
  readonly reuseAddr?: boolean;
}

interface Datagram {
  readonly data: Buffer;
  readonly from: RemoteInfo;
}

/** A UDP socket. */
export class UdpSocket {
  readonly #socket: Socket;
  readonly #queue: Datagram[] = [];
  readonly #limit: number;
  readonly #readable = new Readiness();
  #peer: HostPort | undefined;
  #error: Error | null = null;
  #closed = false;
  #dropped = 0;

  private constructor(socket: Socket, limit: number) {
    this.#socket = socket;
    this.#limit = limit;
    socket.on('message', (data: Buffer, from: RemoteInfo) => {
      if (this.#peer !== undefined && (from.port !== this.#peer.port || !sameHost(from.address, this.#peer.host)))
        return;
      if (this.#queue.length >= this.#limit) {
        this.#dropped++;
        return;
      }
      this.#queue.push({ data, from });
      this.#readable.wake();
    });
    socket.on('error', (err: Error) => {
      this.#error ??= err;
      this.#readable.wake();
    });
  }

  /**
   * Bind to `addr` (`"127.0.0.1:0"`; an IPv6 host makes an IPv6 socket).
   * Errors: Node's system error (`EADDRINUSE`); TypeError / RangeError for a bad address.
   */
  static async bind(addr: ToSocketAddr, opts: UdpBindOptions = {}): Promise<UdpSocket> {
    const { host, port } = parseAddr(addr);
    if (opts.recvQueue !== undefined) assertNumber(opts.recvQueue, 'recvQueue', 1, true);
    const socket = createSocket({ type: isIP(host) === 6 ? 'udp6' : 'udp4', reuseAddr: opts.reuseAddr });
    const udp = new UdpSocket(socket, opts.recvQueue ?? 1024);
    const done = completion<void>(() => socket.close());
    const onError = (err: Error): void => done.fail(err);
    socket.once('error', onError);
    socket.bind({ address: host, port }, () => done.done(undefined));
    try {
      await done.promise;
    } finally {
      socket.off('error', onError);
    }
    return udp;
  }

  /**
   * Send one datagram to `addr`; resolves with `buf.length` once it was handed to the kernel.
   * Errors: Node's system error; TypeError / RangeError for a bad address.
   */
  async sendTo(buf: Uint8Array, addr: ToSocketAddr): Promise<number> {
    checkBuffer(buf);
    const { host, port } = parseAddr(addr);
    return this.#send(buf, port, host);
  }

  /**
   * Receive one datagram into `buf`; resolves with its length (truncated to `buf.length`,
   * the rest discarded, as recv_from does) and the sender's address.
   * Cancel safety: cancel-safe. A cancelled receive takes no datagram.
   */
  async recvFrom(buf: Uint8Array): Promise<[number, SocketAddr]> {
    checkBuffer(buf);
    const c = coop();
    if (c !== undefined) await c;
    for (;;) {
      if (this.#closed) throw new SocketClosedError('recvFrom()');
      const d = this.#queue.shift();
      if (d !== undefined) {
        const n = Math.min(buf.length, d.data.length);
        buf.set(d.data.subarray(0, n));
        return [n, toSocketAddr(d.from)];
      }
      if (this.#error !== null) throw this.#error;
      await this.#readable.wait();
    }
  }

  /**
   * Set the default destination for `send` and accept datagrams only from it (Tokio's
   * `connect`: a filter, no handshake).
   */
  async connect(addr: ToSocketAddr): Promise<void> {
    const hp = parseAddr(addr);
    if (this.#closed) throw new SocketClosedError('connect()');
    this.#peer = hp;
    this.#queue.splice(
      0,
      this.#queue.length,
      ...this.#queue.filter((d) => d.from.port === hp.port && sameHost(d.from.address, hp.host)),
    );
  }

  /** Send to the connected peer. Errors: TypeError `ERR_SOCKET_DGRAM_NOT_CONNECTED` before `connect`. */
  async send(buf: Uint8Array): Promise<number> {
    checkBuffer(buf);
    const peer = this.#peer;
    if (peer === undefined)
      throw typeError(
        'send() needs a connected socket: call connect(addr) first, or use sendTo(buf, addr)',
        'ERR_SOCKET_DGRAM_NOT_CONNECTED',
      );
    return this.#send(buf, peer.port, peer.host);
  }

  /** Receive from the connected peer. Cancel-safe, like `recvFrom`. */
  async recv(buf: Uint8Array): Promise<number> {
    const [n] = await this.recvFrom(buf);
    return n;
  }

  /** The bound address. */
  localAddr(): SocketAddr {
    if (this.#closed) throw new SocketClosedError('localAddr()');
    return toSocketAddr(this.#socket.address());
  }

  /** Datagrams dropped because the receive queue was full. */
  get droppedCount(): number {
    return this.#dropped;
  }

  /** Close the socket; pending and later receives fail with SocketClosedError. Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#queue.length = 0;
    this.#socket.close();
    this.#readable.wake();
  }

  [Symbol.dispose](): void {
    this.close();
  }

  async #send(buf: Uint8Array, port: number, host: string): Promise<number> {
    if (this.#closed) throw new SocketClosedError('send()');
    const c = coop();
    if (c !== undefined) await c;
    const done = completion<number>();
    this.#socket.send(buf, port, host, (err, n) => {
      if (err) done.fail(err);
      else done.done(n);
    });
    return done.promise;
  }
}

function sameHost(a: string, b: string): boolean {
  return a === b || (b === 'localhost' && (a === '127.0.0.1' || a === '::1'));
}
