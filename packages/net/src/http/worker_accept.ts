/**
 * Worker accept, the workers' side: each worker thread listens on the same port with
 * SO_REUSEPORT and serves its own router, built there by the app's factory. The kernel
 * spreads connections over the workers' sockets, so every worker is a reactor, as Tokio's
 * workers each drive I/O. This module is side-effect free: the workers import it to run
 * {@link acceptOnWorker}.
 */
import { BroadcastChannel, threadId } from 'node:worker_threads';
import { Handle, task } from '@skein/core';
import { frames } from '@skein/core/internal';
import type { SocketAddr } from '../socket_addr.js';
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

/** What travels on a server's channel: main asks to stop (timeout, null: none); each worker says it closed. */
export type AcceptorMessage = { readonly stop: number | null } | { readonly closed: number };

/** The channel one server's main thread and acceptors talk on (BroadcastChannel needs no port to be handed over). */
export function acceptorChannel(id: string): BroadcastChannel {
  return new BroadcastChannel(`skein:net:accept:${id}`);
}

/** Servers with an acceptor on this thread, by id. */
const acceptingHere = new Set<string>();

/**
 * Runs on a worker: build the router, listen with reusePort, serve until the main thread
 * asks to stop. Resolves with the bound address once listening, or null when this thread
 * already accepts for `id`.
 *
 * The scheduler may hand two acceptors to one thread, which would leave another worker
 * without one. So each acceptor holds its thread, synchronously and only at startup, until
 * all have started: a held thread takes no other task, so the rest go to the other workers.
 */
export const acceptOnWorker = task(import.meta, async function acceptOnWorker(id: string, factory: FactoryRef, host: string, port: number, settings: HttpSettings, control: SharedArrayBuffer, workers: number): Promise<SocketAddr | null> {
  const w = new Int32Array(control);
  Atomics.add(w, ARRIVED, 1);
  Atomics.notify(w, ARRIVED);
  const deadline = Date.now() + SPREAD_MS;
  for (let n = Atomics.load(w, ARRIVED); n < workers; n = Atomics.load(w, ARRIVED)) {
    const left = deadline - Date.now();
    if (left <= 0) break;
    Atomics.wait(w, ARRIVED, n, left);
  }
  if (acceptingHere.has(id)) return null;
  acceptingHere.add(id);
  const picks = port === 0 && Atomics.compareExchange(w, PORT, 0, PICKING) === 0;
  try {
    const router = await buildRouterFrom(factory);
    let p = port;
    if (port === 0 && !picks) {
      Atomics.wait(w, PORT, PICKING, PORT_WAIT_MS);
      p = Atomics.load(w, PORT);
      if (p <= 0) {
        acceptingHere.delete(id);
        return null;
      }
    }
    const log = frames.getStore()!.task!.runtime.logger.child({ threadId });
    const { serving, addr } = await HttpServing.listen({ host, port: p }, router, { ...settings, reusePort: true }, Handle.current(), log);
    if (picks) publishPort(w, addr.port);
    stopOnRequest(id, serving);
    return addr;
  } catch (err) {
    acceptingHere.delete(id);
    if (picks) publishPort(w, FAILED);
    throw err;
  }
});

function publishPort(w: Int32Array, port: number): void {
  Atomics.store(w, PORT, port);
  Atomics.notify(w, PORT);
}

function stopOnRequest(id: string, serving: HttpServing): void {
  const channel = acceptorChannel(id);
  let stopping = false;
  channel.onmessage = (e: unknown) => {
    const m = (e as { data: AcceptorMessage }).data;
    if (!('stop' in m) || stopping) return;
    stopping = true;
    void serving.drain(m.stop ?? undefined).then(() => {
      acceptingHere.delete(id);
      channel.postMessage({ closed: threadId } satisfies AcceptorMessage);
      channel.close();
    });
  };
}
