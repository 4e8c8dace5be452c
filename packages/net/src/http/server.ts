/**
 * `Server`: what `serve()` resolves with: the address, graceful shutdown, and `closed`. The
 * same object whichever threads accept: what it stops is a {@link Serving}.
 */
import { assertDuration } from '@skein/core';
import type { SocketAddr } from '../socket_addr.js';

/**
 * Who accepts a server's connections and where they are read: `'main'`, the main thread
 * for both; `'workers'`, every worker on its own listening socket; `'handoff'`, the main
 * thread accepts and hands each connection to a worker, which reads it.
 */
export type AcceptMode = 'main' | 'workers' | 'handoff';

/** Options of {@link Server.shutdown}. */
export interface ShutdownOptions {
  /**
   * How long in-flight requests may take to finish before their tasks are aborted and
   * their connections closed. Default: no limit (axum's graceful shutdown).
   */
  readonly timeoutMs?: number;
}

/** What a Server stops: one HTTP server on this thread, or one per worker. */
export interface Serving {
  /** Stop accepting, let in-flight requests finish for up to `ms` (none: no limit), close everything. */
  drain(ms: number | undefined): Promise<void>;
  /** The owning task is gone: stop holding the process up (the runtime is going away). */
  abandon?(): void;
}

/** Set by Server's static block, the one place that may call its private constructor. */
let construct: (addr: SocketAddr, serving: Serving, accept: AcceptMode) => Server;

/**
 * A server already listening. `serve()` makes it through this, so the constructor can stay
 * private and out of the public declarations.
 */
export function serverOf(addr: SocketAddr, serving: Serving, accept: AcceptMode): Server {
  return construct(addr, serving, accept);
}

/** A running HTTP server. */
export class Server {
  /** The address it listens on. */
  readonly addr: SocketAddr;
  /** Who accepts its connections (see `ServeOptions.accept`). */
  readonly accept: AcceptMode;
  /** Resolves once the server stopped and every connection closed. */
  readonly closed: Promise<void>;
  readonly #serving: Serving;
  #closing = false;
  #shutdown: Promise<void> | undefined;
  #resolveClosed!: () => void;

  /** Made by serve(). */
  private constructor(addr: SocketAddr, serving: Serving, accept: AcceptMode) {
    this.addr = addr;
    this.accept = accept;
    this.#serving = serving;
    this.closed = new Promise((resolve) => {
      this.#resolveClosed = resolve;
    });
  }

  static {
    construct = (addr, serving, accept) => new Server(addr, serving, accept);
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
    return (this.#shutdown ??= this.#stop(ms));
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.shutdown();
  }

  async #stop(ms: number | undefined): Promise<void> {
    this.#closing = true;
    await this.#serving.drain(ms);
    this.#resolveClosed();
  }
}
