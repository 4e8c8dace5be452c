/**
 * `Server`: what `serve()` resolves with: the address, graceful shutdown, and `closed`.
 */
import type { Server as HttpServer } from 'node:http';
import { assertDuration, type JoinHandle } from '@skein/core';
import type { SocketAddr } from '../socket_addr.js';

/** Options of {@link Server.shutdown}. */
export interface ShutdownOptions {
  /**
   * How long in-flight requests may take to finish before their tasks are aborted and
   * their connections closed. Default: no limit (axum's graceful shutdown).
   */
  readonly timeoutMs?: number;
}

/** A running HTTP server. */
export class Server {
  /** The address it listens on. */
  readonly addr: SocketAddr;
  /** Resolves once the server stopped and every connection closed. */
  readonly closed: Promise<void>;
  readonly #http: HttpServer;
  readonly #inflight: Set<JoinHandle<void>>;
  #idle: (() => void) | undefined;
  #closing = false;
  #shutdown: Promise<void> | undefined;
  #resolveClosed!: () => void;

  /** @internal Made by serve(). */
  constructor(http: HttpServer, addr: SocketAddr, inflight: Set<JoinHandle<void>>) {
    this.#http = http;
    this.addr = addr;
    this.#inflight = inflight;
    this.closed = new Promise((resolve) => { this.#resolveClosed = resolve; });
  }

  /** True once `shutdown()` was called. */
  get closing(): boolean {
    return this.#closing;
  }

  /** The URL of the server's root, e.g. `http://127.0.0.1:3000`. */
  get url(): string {
    const { address, port, family } = this.addr;
    return family === 'IPv6' ? `http://[${address}]:${port}` : `http://${address}:${port}`;
  }

  /** @internal A request task finished. */
  requestDone(h: JoinHandle<void>): void {
    this.#inflight.delete(h);
    if (this.#inflight.size === 0) this.#idle?.();
  }

  /**
   * Graceful shutdown: stop accepting, close idle keep-alive connections, let in-flight
   * requests finish (their answers close their connections), then, after `timeoutMs`,
   * abort the request tasks still running and close every connection. Resolves when the
   * server is closed. Idempotent.
   * Errors: RangeError for a negative or NaN `timeoutMs`.
   */
  shutdown(opts: ShutdownOptions = {}): Promise<void> {
    const ms = opts.timeoutMs;
    if (ms !== undefined) assertDuration(ms, 'timeoutMs');
    return (this.#shutdown ??= this.#drain(ms));
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.shutdown();
  }

  async #drain(ms: number | undefined): Promise<void> {
    this.#closing = true;
    const http = this.#http;
    const stopped = new Promise<void>((resolve) => http.close(() => resolve()));
    http.closeIdleConnections();
    if (this.#inflight.size > 0) {
      const idle = new Promise<void>((resolve) => { this.#idle = resolve; });
      let timer: NodeJS.Timeout | undefined;
      const expired = ms === undefined || ms === Infinity ? undefined : new Promise<void>((resolve) => { timer = setTimeout(resolve, ms); });
      await (expired === undefined ? idle : Promise.race([idle, expired]));
      clearTimeout(timer);
      for (const h of this.#inflight) h.abort();
    }
    http.closeAllConnections();
    await stopped;
    this.#resolveClosed();
  }
}
