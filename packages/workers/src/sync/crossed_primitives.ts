/**
 * The primitives whose buffers a blocking pool posted to its threads, so that when one of
 * them dies `releaseDeadThread` can find what it held (the runtime's workers have the side
 * channel's registry for this; the pool posts jobs through piscina instead).
 *
 * A pool thread gets a primitive only as a job argument (results and channel values carry
 * no shared memory), so this sees every primitive a pool thread can hold or wait on.
 *
 * Held weakly, unlike the side channel's sticky registry: a server that passes a fresh
 * `sharedOneshot` sender to each blocking job would otherwise keep every one of them. A
 * buffer is dropped once the main thread holds no handle of it and no job that received it
 * is still pending (the job's request keeps it). What is lost then: a pool thread that kept
 * a handle past its job (in module state) and dies holding it, while another pool thread,
 * also through a handle kept past its job, waits on it.
 */
import { primitiveId, primitiveKind } from './primitive_buffer.js';

/** A weak registry of primitive buffers, by primitive identity. */
export class CrossedPrimitives {
  readonly #byId = new Map<number, WeakRef<SharedArrayBuffer>>();
  readonly #collected = new FinalizationRegistry<number>((id) => {
    if (this.#byId.get(id)?.deref() === undefined) this.#byId.delete(id);
  });

  /** Remembers `sab` if it holds a primitive (every handle's buffer does). */
  add(sab: SharedArrayBuffer): void {
    if (primitiveKind(sab) === undefined) return;
    const id = primitiveId(sab);
    if (this.#byId.get(id)?.deref() === sab) return;
    this.#byId.set(id, new WeakRef(sab));
    this.#collected.register(sab, id);
  }

  /** The buffers still alive. */
  *buffers(): IterableIterator<SharedArrayBuffer> {
    for (const ref of this.#byId.values()) {
      const sab = ref.deref();
      if (sab !== undefined) yield sab;
    }
  }
}
