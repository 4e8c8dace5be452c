/**
 * The main thread's side of worker accept and hand-off: start one acceptor per worker,
 * accept and hand sockets over (hand-off mode), and stop them all on shutdown. See
 * worker_accept.ts for the workers' side, and the package README for which platform gets
 * which mode.
 */
import { randomUUID } from 'node:crypto';
import { createServer, Socket, type AddressInfo, type Server as NetServer } from 'node:net';
import { MessageChannel, postMessageToThread, type BroadcastChannel } from 'node:worker_threads';
import { JoinError, SkeinError, type Handle } from '@skein/core';
import { completion } from '../readiness.js';
import { formatAddr, parseAddr, toSocketAddr, type SocketAddr, type ToSocketAddr } from '../socket_addr.js';
import type { HttpSettings } from './http_serving.js';
import { factoryRef, type RouterFactory } from './router_factory.js';
import type { AcceptMode, Serving } from './server.js';
import {
  acceptOnWorker,
  acceptorChannel,
  CONTROL_BYTES,
  type AcceptorMessage,
  type AcceptorSource,
  type Handoff,
} from './worker_accept.js';

/** `serve(..., { accept })` asked for a mode this process can't run. */
export class AcceptModeUnsupportedError extends SkeinError {
  constructor(mode: AcceptMode, why: string) {
    super(
      'ERR_SKEIN_ACCEPT_MODE_UNSUPPORTED',
      `accept: '${mode}' is not available: ${why}. Leave \`accept\` unset: serve() picks the best mode this platform has`,
    );
  }
}

/**
 * Whether each worker can have its own listening socket on one port: SO_REUSEPORT with
 * the kernel balancing connections, i.e. Linux, from Node 22.12 (23.1).
 */
export function reusePortSupported(): boolean {
  if (process.platform !== 'linux') return false;
  const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
  return major > 23 || (major === 23 && minor >= 1) || (major === 22 && minor >= 12);
}

let handoff: boolean | undefined;

/**
 * Whether an accepted socket can be posted to another thread (Node 26.6, and the 24 line
 * since the backport): Node then refuses a socket that never connected with
 * ERR_WORKER_HANDLE_NOT_TRANSFERABLE, where older ones refuse any socket as uncloneable.
 */
export function handoffSupported(): boolean {
  if (handoff !== undefined) return handoff;
  const { port1, port2 } = new MessageChannel();
  const probe = new Socket();
  try {
    port1.postMessage(probe, [probe as never]);
    handoff = true;
  } catch (err) {
    handoff = (err as { code?: unknown }).code === 'ERR_WORKER_HANDLE_NOT_TRANSFERABLE';
  } finally {
    probe.destroy();
    port1.close();
    port2.close();
  }
  return handoff;
}

/**
 * The accept modes this process's platform and Node can run, best first (what serve()
 * picks for a router factory on the multi-thread flavour is the first). `'main'` is always
 * there.
 */
export function availableAcceptModes(): AcceptMode[] {
  const modes: AcceptMode[] = [];
  if (reusePortSupported()) modes.push('workers');
  if (handoffSupported()) modes.push('handoff');
  modes.push('main');
  return modes;
}

/** Why `mode` can't serve here, or undefined when it can. */
export function acceptBlocker(mode: AcceptMode, handle: Handle, hasListener: boolean): string | undefined {
  if (mode === 'main') return undefined;
  if (handle.flavor !== 'multi_thread') return 'the runtime is current-thread (use Builder.multiThread())';
  if (hasListener) return 'serve() was given a bound TcpListener, whose socket stays on this thread (pass an address)';
  if (mode === 'workers' && !reusePortSupported())
    return `SO_REUSEPORT needs Linux and Node >= 22.12 (this is ${process.platform}, Node ${process.versions.node})`;
  if (mode === 'handoff' && !handoffSupported())
    return `posting sockets to worker threads needs Node >= 26.6 or a recent 24 (this is Node ${process.versions.node})`;
  return undefined;
}

/**
 * Serve the router `factory` builds on every worker: each listening on `addr` itself
 * ('workers'), or fed the connections this thread accepts on `addr` ('handoff').
 * Errors: binding errors (`EADDRINUSE`), and the first acceptor's failure (a factory that
 * throws), once the others are stopped.
 */
export async function serveOnWorkers(
  handle: Handle,
  addr: ToSocketAddr,
  factory: RouterFactory,
  settings: HttpSettings,
  mode: 'workers' | 'handoff',
): Promise<{ serving: Serving; addr: SocketAddr }> {
  const { host, port } = parseAddr(addr);
  const ref = await factoryRef(factory);
  const id = randomUUID();
  const control = new SharedArrayBuffer(CONTROL_BYTES);
  const workers = handle.metrics().numWorkers;
  let listener: HandoffListener | undefined;
  let source: AcceptorSource = { listen: { host, port } };
  if (mode === 'handoff') {
    listener = await HandoffListener.listen(id, host, port, settings.backlog);
    source = { handoff: formatAddr(listener.addr) };
  }
  // Listening on the channel also keeps this thread's event loop alive while the workers
  // serve (their threads don't hold the process up).
  const serving = new WorkersServing(acceptorChannel(id), listener);
  const started = await Promise.allSettled(
    Array.from({ length: workers }, () => handle.spawn(acceptOnWorker, id, ref, source, settings, control, workers)),
  );
  const threads: number[] = [];
  let bound = listener?.addr;
  let failure: { reason: unknown } | undefined;
  for (const s of started) {
    if (s.status === 'rejected') failure ??= s;
    else if (s.value !== null) {
      threads.push(s.value.thread);
      bound ??= s.value.addr;
    }
  }
  serving.accepting = threads.length;
  if (failure !== undefined) {
    await serving.drain(0);
    // The acceptor's own error (EADDRINUSE, the factory's), as if it had been bound here.
    const err = failure.reason;
    throw err instanceof JoinError && err.isPanic() ? err.cause : err;
  }
  listener?.handTo(threads);
  // Every thread's first acceptor binds or fails, so with no failure one bound.
  return { serving, addr: bound! };
}

/** Hand-off mode's listening socket: accepts here, posts each connection to a worker in turn. */
class HandoffListener {
  readonly addr: SocketAddr;
  readonly #server: NetServer;
  readonly #id: string;
  #threads: readonly number[] = [];
  #next = 0;
  /** Connections accepted before the workers were ready. */
  #early: Socket[] | undefined = [];

  private constructor(server: NetServer, id: string) {
    this.#server = server;
    this.#id = id;
    this.addr = toSocketAddr(server.address() as AddressInfo);
    server.on('connection', (socket: Socket) => {
      if (this.#early !== undefined) this.#early.push(socket);
      else this.#post(socket);
    });
  }

  /** Errors: system errors from binding (`EADDRINUSE`). */
  static async listen(id: string, host: string, port: number, backlog: number | undefined): Promise<HandoffListener> {
    // Paused: a socket that has started reading can't be posted to another thread.
    const server = createServer({ pauseOnConnect: true });
    const done = completion<void>(() => server.close());
    server.once('error', (err) => done.fail(err));
    server.listen({ host, port, backlog }, () => done.done(undefined));
    await done.promise;
    return new HandoffListener(server, id);
  }

  /** Start posting connections to `threads`, round robin (those that came early first). */
  handTo(threads: readonly number[]): void {
    this.#threads = threads;
    const early = this.#early ?? [];
    this.#early = undefined;
    for (const s of early) this.#post(s);
  }

  #post(socket: Socket): void {
    const thread = this.#threads[this.#next++ % this.#threads.length]!;
    // A worker that stopped taking connections (shutdown) refuses it: the client sees a reset.
    postMessageToThread(thread, { handoff: this.#id, socket } satisfies Handoff, [socket as never]).catch(() =>
      socket.destroy(),
    );
  }

  /** Stop accepting; connections accepted but not handed over are closed. */
  close(): Promise<void> {
    for (const s of this.#early ?? []) s.destroy();
    this.#early = undefined;
    return new Promise((resolve) => this.#server.close(() => resolve()));
  }
}

/** The workers' servers (and hand-off mode's listener), stopped together. */
class WorkersServing implements Serving {
  /** Workers serving. */
  accepting = 0;
  readonly #channel: BroadcastChannel;
  readonly #listener: HandoffListener | undefined;
  #closed = 0;
  #allClosed: (() => void) | undefined;

  constructor(channel: BroadcastChannel, listener: HandoffListener | undefined) {
    this.#channel = channel;
    this.#listener = listener;
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
    const all = new Promise<void>((resolve) => {
      this.#allClosed = resolve;
    });
    const stopped = this.#listener?.close();
    if (this.#closed < this.accepting) {
      this.#channel.postMessage({ stop: ms === undefined || ms === Infinity ? null : ms } satisfies AcceptorMessage);
      await all;
    }
    await stopped;
    this.#channel.close();
  }
}
