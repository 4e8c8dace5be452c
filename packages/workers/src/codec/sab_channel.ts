/**
 * The postMessage side channel: what can't travel through the slot table.
 *
 * Tokio's tasks move between threads by pointer. Ours move as bytes in shared memory, which
 * covers almost everything, with two exceptions that need `postMessage`:
 * - **SharedArrayBuffers** must be *shared*, not copied, and only structured clone can
 *   hand one isolate's SharedArrayBuffer to another. Each distinct buffer is broadcast once,
 *   with a runtime-wide id; every thread keeps it in a map, and payloads refer to the id.
 *   Registrations are sticky: a buffer stays known until the runtime shuts down (so a
 *   program that makes a fresh SharedArrayBuffer per task grows this map; reuse buffers).
 * - **One-shot payloads**: a value the fast codecs can't write (a bare SharedArrayBuffer
 *   nested in a Map, say), or bytes too big for the arena (sent as a fresh
 *   SharedArrayBuffer, so it is shared, not copied, however many threads receive it).
 *   Arguments go to every thread (any worker may run the task); the one that consumes them
 *   broadcasts a drop. Results go to the spawner only.
 *
 * One BroadcastChannel per runtime carries all of it: one post reaches every thread, and
 * messages from one sender arrive in order. Messages race with the queues (a worker can
 * pop a task before its payload message arrives); the decoder then waits
 * ({@link SideChannel.whenReady}), and after a short while asks the other threads to send
 * again, which also covers a replacement worker that started after a broadcast.
 */
import { BroadcastChannel } from 'node:worker_threads';
import type { SabResolver } from './wire.js';

/** `to` for an argument payload: every thread keeps it until the consumer drops it. */
export const TO_ANY = -1;

const M_SAB = 0;
const M_PAYLOAD = 1;
const M_DROP = 2;
const M_WANT = 3;

type Message =
  | { t: typeof M_SAB; id: number; sab: SharedArrayBuffer }
  | { t: typeof M_PAYLOAD; id: number; to: number; v: unknown }
  | { t: typeof M_DROP; id: number }
  | { t: typeof M_WANT; id: number };

/** A payload that arrived through the channel. */
interface Held {
  readonly to: number;
  readonly v: unknown;
}

/** Ask again for something this long after first waiting for it. */
const WANT_AFTER_MS = 50;

/** One thread's end of a runtime's side channel. */
export class SideChannel implements SabResolver {
  readonly #bc: BroadcastChannel;
  readonly #ids: Int32Array;
  readonly #idIndex: number;
  readonly #thread: number;
  readonly #sabIds = new WeakMap<SharedArrayBuffer, number>();
  readonly #sabs = new Map<number, SharedArrayBuffer>();
  readonly #payloads = new Map<number, Held>();
  readonly #dropped = new Set<number>();
  readonly #waiting = new Map<number, (() => void)[]>();
  #closed = false;

  /**
   * `ids[idIndex]` is the runtime-wide id counter; `thread` is this thread's index.
   * `known` seeds the buffers registered before this thread started.
   */
  constructor(
    name: string,
    ids: Int32Array,
    idIndex: number,
    thread: number,
    known?: ReadonlyMap<number, SharedArrayBuffer>,
  ) {
    this.#ids = ids;
    this.#idIndex = idIndex;
    this.#thread = thread;
    if (known !== undefined) for (const [id, sab] of known) this.#remember(id, sab);
    this.#bc = new BroadcastChannel(name);
    this.#bc.onmessage = (e: unknown): void => this.#onMessage((e as { data: Message }).data);
    (this.#bc as unknown as { unref(): void }).unref();
  }

  /** Every SharedArrayBuffer known here (to seed a replacement thread). */
  knownSabs(): Map<number, SharedArrayBuffer> {
    return new Map(this.#sabs);
  }

  /** The runtime-wide id of `sab`, registering (and broadcasting) it the first time. */
  idOf(sab: SharedArrayBuffer): number {
    let id = this.#sabIds.get(sab);
    if (id === undefined) {
      id = this.#nextId();
      this.#remember(id, sab);
      this.#post({ t: M_SAB, id, sab });
    }
    return id;
  }

  /** The buffer registered as `id`, if it has arrived here. */
  get(id: number): SharedArrayBuffer | undefined {
    return this.#sabs.get(id);
  }

  /**
   * Send `value` by structured clone to thread `to` (or {@link TO_ANY}); returns its id.
   * Throws the DataCloneError when it can't be cloned, before anything is sent.
   */
  sendPayload(value: unknown, to: number): number {
    const id = this.#nextId();
    this.#post({ t: M_PAYLOAD, id, to, v: value });
    if (to === TO_ANY) this.#payloads.set(id, { to, v: value });
    return id;
  }

  /** Whether payload `id` has arrived here. */
  hasPayload(id: number): boolean {
    return this.#payloads.has(id);
  }

  /** Payload `id` (it must have arrived), left in place. */
  peekPayload(id: number): unknown {
    return this.#payloads.get(id)!.v;
  }

  /** Take payload `id` (it must have arrived) and tell the other threads to drop theirs. */
  takePayload(id: number): unknown {
    const held = this.#payloads.get(id)!;
    this.#payloads.delete(id);
    if (held.to === TO_ANY) this.#post({ t: M_DROP, id });
    return held.v;
  }

  /** Payload `id` will never be consumed (its task was cancelled): drop it everywhere. */
  discardPayload(id: number): void {
    if (!this.#payloads.delete(id)) this.#dropped.add(id);
    this.#post({ t: M_DROP, id });
  }

  /** Resolves once buffer or payload `id` is here. */
  whenReady(id: number): Promise<void> {
    if (this.#sabs.has(id) || this.#payloads.has(id)) return Promise.resolve();
    return new Promise((resolve) => {
      let list = this.#waiting.get(id);
      if (list === undefined) {
        this.#waiting.set(id, (list = []));
        this.#askLater(id, WANT_AFTER_MS);
      }
      list.push(resolve);
    });
  }

  /** Stop listening (runtime shutdown). */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#bc.close();
  }

  #askLater(id: number, ms: number): void {
    const t = setTimeout(() => {
      if (this.#closed || !this.#waiting.has(id)) return;
      this.#post({ t: M_WANT, id });
      this.#askLater(id, Math.min(ms * 4, 1000));
    }, ms);
    t.unref();
  }

  #nextId(): number {
    return (Atomics.add(this.#ids, this.#idIndex, 1) + 1) >>> 0;
  }

  #post(m: Message): void {
    if (!this.#closed) this.#bc.postMessage(m);
  }

  #remember(id: number, sab: SharedArrayBuffer): void {
    this.#sabs.set(id, sab);
    if (!this.#sabIds.has(sab)) this.#sabIds.set(sab, id);
    this.#arrived(id);
  }

  #arrived(id: number): void {
    const list = this.#waiting.get(id);
    if (list === undefined) return;
    this.#waiting.delete(id);
    for (const f of list) f();
  }

  #onMessage(m: Message): void {
    switch (m.t) {
      case M_SAB:
        if (!this.#sabs.has(m.id)) this.#remember(m.id, m.sab);
        return;
      case M_PAYLOAD:
        if (m.to !== TO_ANY && m.to !== this.#thread) return;
        if (this.#dropped.delete(m.id)) return;
        if (!this.#payloads.has(m.id)) this.#payloads.set(m.id, { to: m.to, v: m.v });
        this.#arrived(m.id);
        return;
      case M_DROP:
        if (!this.#payloads.delete(m.id)) this.#dropped.add(m.id);
        return;
      case M_WANT: {
        const sab = this.#sabs.get(m.id);
        if (sab !== undefined) this.#post({ t: M_SAB, id: m.id, sab });
        const held = this.#payloads.get(m.id);
        if (held !== undefined) this.#post({ t: M_PAYLOAD, id: m.id, to: held.to, v: held.v });
        return;
      }
    }
  }
}
