/**
 * comlink over a Node MessagePort.
 *
 * The control plane (metrics snapshots, task dumps, shutdown) is request/response traffic
 * that is rare and not latency-critical, so it uses comlink's RPC over each worker's
 * MessagePort, as DESIGN.md prescribes; the hot path never touches it. This is comlink's
 * own `node-adapter` (EventTarget-style listeners mapped onto `port.on('message')`),
 * restated here because comlink ships that adapter only as untyped deep files.
 */
import type { Endpoint } from 'comlink';
import type { MessagePort } from 'node:worker_threads';

type Listener = Parameters<Endpoint['addEventListener']>[1];

/** A comlink Endpoint for a Node MessagePort. */
export function nodeEndpoint(port: MessagePort): Endpoint {
  const listeners = new WeakMap<Listener, (data: unknown) => void>();
  return {
    postMessage: (message: unknown, transfer?: unknown[]) => port.postMessage(message, transfer as never),
    addEventListener: (_type: string, listener: Listener) => {
      const l = (data: unknown): void => {
        const event = { data } as MessageEvent;
        if (typeof listener === 'function') listener(event);
        else listener.handleEvent(event);
      };
      port.on('message', l);
      listeners.set(listener, l);
    },
    removeEventListener: (_type: string, listener: Listener) => {
      const l = listeners.get(listener);
      if (l === undefined) return;
      port.off('message', l);
      listeners.delete(listener);
    },
    start: () => port.start(),
  };
}
