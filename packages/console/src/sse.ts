/**
 * Server-sent events: the streams of GET /api/events. Each client gets every snapshot as
 * an `event: snapshot` message (so a stream is never quiet for long: no keep-alive needed).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

/** The open event streams. */
export class SseHub {
  readonly #clients = new Set<ServerResponse>();

  /** How many streams are open. */
  get size(): number {
    return this.#clients.size;
  }

  /** Turn `res` into an event stream, until the client goes away or {@link close}. */
  open(req: IncomingMessage, res: ServerResponse): void {
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      connection: 'keep-alive',
    });
    // Tell EventSource how long to wait before reconnecting after the server goes away.
    res.write('retry: 2000\n\n');
    this.#clients.add(res);
    req.on('close', () => this.#clients.delete(res));
  }

  /** Send `data` (as JSON) to every stream under the event name `event`. */
  send(event: string, data: unknown): void {
    if (this.#clients.size === 0) return;
    const msg = `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
    for (const res of this.#clients) res.write(msg);
  }

  /** End every stream. */
  close(): void {
    for (const res of this.#clients) res.end();
    this.#clients.clear();
  }
}
