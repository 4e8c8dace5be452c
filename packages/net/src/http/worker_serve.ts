/**
 * Worker accept, the main thread's side: start one acceptor per worker, and stop them all
 * on shutdown. See worker_accept.ts for the workers' side, and the package README for
 * which platforms get this mode.
 */
import { randomUUID } from 'node:crypto';
import type { BroadcastChannel } from 'node:worker_threads';
import { JoinError, SkeinError, type Handle } from '@skein/core';
import { parseAddr, type SocketAddr, type ToSocketAddr } from '../socket_addr.js';
import type { HttpSettings } from './http_serving.js';
import { factoryRef, type RouterFactory } from './router_factory.js';
import type { Serving } from './server.js';
import { acceptOnWorker, acceptorChannel, CONTROL_BYTES, type AcceptorMessage } from './worker_accept.js';

/** `serve(..., { accept: 'workers' })` where that mode is not available. */
export class WorkerAcceptUnsupportedError extends SkeinError {
  constructor(why: string) {
    super('ERR_SKEIN_WORKER_ACCEPT_UNSUPPORTED', `accept: 'workers' is not available: ${why}. Leave \`accept\` unset (the main thread then accepts where the workers can't)`);
  }
}

/**
 * Whether this process can give each worker its own listening socket on one port:
 * SO_REUSEPORT with the kernel balancing connections, i.e. Linux, from Node 22.12 (23.1).
 */
export function reusePortSupported(): boolean {
  if (process.platform !== 'linux') return false;
  const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
  return major > 23 || (major === 23 && minor >= 1) || (major === 22 && minor >= 12);
}

/** Why worker accept can't serve here, or undefined when it can. */
export function workerAcceptBlocker(handle: Handle, hasListener: boolean): string | undefined {
  if (handle.flavor !== 'multi_thread') return 'the runtime is current-thread (use Builder.multiThread())';
  if (hasListener) return 'serve() was given a bound TcpListener, whose one socket the main thread owns (pass an address)';
  if (!reusePortSupported()) return `SO_REUSEPORT needs Linux and Node >= 22.12 (this is ${process.platform}, Node ${process.versions.node})`;
  return undefined;
}

/**
 * Serve the router `factory` builds on every worker, each listening on `addr` itself.
 * Errors: the first acceptor's failure (`EADDRINUSE`, a factory that throws); the others
 * are stopped first.
 */
export async function serveOnWorkers(handle: Handle, addr: ToSocketAddr, factory: RouterFactory, settings: HttpSettings): Promise<{ serving: Serving; addr: SocketAddr }> {
  const { host, port } = parseAddr(addr);
  const ref = await factoryRef(factory);
  const id = randomUUID();
  const control = new SharedArrayBuffer(CONTROL_BYTES);
  const workers = handle.metrics().numWorkers;
  // Listening on the channel also keeps this thread's event loop alive while the workers
  // serve (their threads don't hold the process up).
  const serving = new WorkersServing(acceptorChannel(id));
  const started = await Promise.allSettled(Array.from({ length: workers }, () => handle.spawn(acceptOnWorker, id, ref, host, port, settings, control, workers)));
  let bound: SocketAddr | undefined;
  let failure: { reason: unknown } | undefined;
  for (const s of started) {
    if (s.status === 'rejected') failure ??= s;
    else if (s.value !== null) {
      bound ??= s.value;
      serving.accepting++;
    }
  }
  if (failure !== undefined) {
    await serving.drain(0);
    // The acceptor's own error (EADDRINUSE, the factory's), as if it had been bound here.
    const err = failure.reason;
    throw err instanceof JoinError && err.isPanic() ? err.cause : err;
  }
  // Every thread's first acceptor binds or fails, so with no failure one bound.
  return { serving, addr: bound! };
}

/** The workers' servers, stopped together. */
class WorkersServing implements Serving {
  /** Workers serving. */
  accepting = 0;
  readonly #channel: BroadcastChannel;
  #closed = 0;
  #allClosed: (() => void) | undefined;

  constructor(channel: BroadcastChannel) {
    this.#channel = channel;
    channel.onmessage = (e: unknown) => {
      const m = (e as { data: AcceptorMessage }).data;
      if ('closed' in m && ++this.#closed === this.accepting) this.#allClosed?.();
    };
  }

  /**
   * The owner is gone (its task aborted, or the runtime shutting down, which terminates the
   * workers before they may answer): stop holding the process up for their answers.
   */
  abandon(): void {
    this.#channel.unref();
  }

  async drain(ms: number | undefined): Promise<void> {
    const all = new Promise<void>((resolve) => { this.#allClosed = resolve; });
    if (this.#closed < this.accepting) {
      this.#channel.postMessage({ stop: ms === undefined || ms === Infinity ? null : ms } satisfies AcceptorMessage);
      await all;
    }
    this.#channel.close();
  }
}
