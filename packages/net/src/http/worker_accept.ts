/**
 * The workers' side of worker accept and hand-off. Each worker builds the app's router
 * with its factory and serves its own node:http server: in 'workers' mode it listens on the
 * shared port itself (SO_REUSEPORT: the kernel spreads connections over the workers'
 * sockets, so every worker is a reactor, as Tokio's workers each drive I/O); in 'handoff'
 * mode the main thread accepts and posts each new socket to a worker (handle transfer),
 * which reads, parses and answers it. This module is side-effect free: the workers import
 * it to run {@link acceptOnWorker}.
 */
import type { Socket } from 'node:net';
import { BroadcastChannel, threadId } from 'node:worker_threads';
import { task } from '@skein/core';
import { frames } from '@skein/core/internal';
import type { HostPort, SocketAddr } from '../socket_addr.js';
import { HttpServing, type HttpSettings } from './http_serving.js';
import { buildRouterFrom, type FactoryRef } from './router_factory.js';

/** Int32 words of the control block one server's acceptors share. */
const ARRIVED = 0;
/** The port picked by the acceptor that bound port 0 first (PICKING while it binds, FAILED if it could not). */
const PORT = 1;
const PICKING = -1;
const FAILED = -2;
/** Bytes of the control block. */
export const CONTROL_BYTES = 8;

/**
 * How long acceptors hold their threads waiting for each other at startup. Bounded, so a
 * worker stuck in a long task costs a slower start, not a hang; a thread that then gets a
 * second acceptor skips it.
 */
const SPREAD_MS = 2_000;
/** How long acceptors wait for the first one to pick a port for `port: 0`. */
const PORT_WAIT_MS = 10_000;

/**
 * Where a worker's connections come from: its own socket listening on `listen`, or the
 * main thread's hand-offs (`handoff`: the listening address, for requests with no Host).
 */
export type AcceptorSource = { readonly listen: HostPort } | { readonly handoff: string };

/** What an acceptor reports once it serves: its thread, and the address it bound (listen mode). */
export interface AcceptorStarted {
  readonly thread: number;
  readonly addr: SocketAddr | undefined;
}

/** A connection the main thread hands to a worker (posted with the socket in the transfer list). */
export interface Handoff {
  readonly handoff: string;
  readonly socket: Socket;
}

/** What travels on a server's channel: main asks to stop (timeout, null: none); each worker says it closed. */
export type AcceptorMessage = { readonly stop: number | null } | { readonly closed: number };

/** The channel one server's main thread and acceptors talk on (BroadcastChannel needs no port to be handed over). */
export function acceptorChannel(id: string): BroadcastChannel {
  return new BroadcastChannel(`skein:net:accept:${id}`);
}

/** Servers with an acceptor on this thread, by id. */
const acceptingHere = new Set<string>();

/**
 * Runs on a worker: build the router, serve connections from `source` until the main
 * thread asks to stop. Resolves once serving, or with null when this thread already serves
 * `id`.
 *
 * The scheduler may hand two acceptors to one thread, which would leave another worker
 * without one. So each acceptor holds its thread, synchronously and only at startup, until
 * all have started: a held thread takes no other task, so the rest go to the other workers.
 */
export const acceptOnWorker = task(
  import.meta,
  async function acceptOnWorker(
    id: string,
    factory: FactoryRef,
    source: AcceptorSource,
    settings: HttpSettings,
    control: SharedArrayBuffer,
    workers: number,
  ): Promise<AcceptorStarted | null> {
    const w = new Int32Array(control);
    holdUntilAllArrive(w, workers);
    if (acceptingHere.has(id)) return null;
    acceptingHere.add(id);
    const picks = 'listen' in source && source.listen.port === 0 && Atomics.compareExchange(w, PORT, 0, PICKING) === 0;
    try {
      const router = await buildRouterFrom(factory);
      const rt = frames.getStore()!.task!.runtime;
      const log = rt.logger.child({ threadId });
      if ('handoff' in source) {
        const serving = HttpServing.detached(router, settings, rt, log, source.handoff);
        const onHandoff = (m: unknown): void => {
          if ((m as Partial<Handoff> | null)?.handoff === id) serving.accept((m as Handoff).socket);
        };
        process.on('workerMessage', onHandoff);
        stopOnRequest(id, serving, () => process.off('workerMessage', onHandoff));
        return { thread: threadId, addr: undefined };
      }
      let port = source.listen.port;
      if (port === 0 && !picks) {
        Atomics.wait(w, PORT, PICKING, PORT_WAIT_MS);
        port = Atomics.load(w, PORT);
        if (port <= 0) {
          acceptingHere.delete(id);
          return null;
        }
      }
      const { serving, addr } = await HttpServing.listen(
        { host: source.listen.host, port },
        router,
        { ...settings, reusePort: true },
        rt,
        log,
      );
      if (picks) publishPort(w, addr.port);
      stopOnRequest(id, serving, () => undefined);
      return { thread: threadId, addr };
    } catch (err) {
      acceptingHere.delete(id);
      if (picks) publishPort(w, FAILED);
      throw err;
    }
  },
);

function holdUntilAllArrive(w: Int32Array, workers: number): void {
  Atomics.add(w, ARRIVED, 1);
  Atomics.notify(w, ARRIVED);
  const deadline = Date.now() + SPREAD_MS;
  for (let n = Atomics.load(w, ARRIVED); n < workers; n = Atomics.load(w, ARRIVED)) {
    const left = deadline - Date.now();
    if (left <= 0) return;
    Atomics.wait(w, ARRIVED, n, left);
  }
}

function publishPort(w: Int32Array, port: number): void {
  Atomics.store(w, PORT, port);
  Atomics.notify(w, PORT);
}

function stopOnRequest(id: string, serving: HttpServing, stopTakingConnections: () => void): void {
  const channel = acceptorChannel(id);
  let stopping = false;
  channel.onmessage = (e: unknown) => {
    const m = (e as { data: AcceptorMessage }).data;
    if (!('stop' in m) || stopping) return;
    stopping = true;
    stopTakingConnections();
    void serving.drain(m.stop ?? undefined).then(() => {
      acceptingHere.delete(id);
      channel.postMessage({ closed: threadId } satisfies AcceptorMessage);
      channel.close();
    });
  };
}
