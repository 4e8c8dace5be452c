/**
 * The general serializer: structured clone through `v8.Serializer`, for values the fast
 * wire format doesn't cover (Maps, Sets, Dates, typed arrays, errors, bigints, cycles).
 *
 * Two fixes make it match `postMessage`:
 * - A typed array over a SharedArrayBuffer must stay a view of the *same* memory. Node's
 *   DefaultSerializer copies every view's bytes, so views over shared memory are written
 *   here as (registry id, offset, length) instead (see `sab_channel.ts`).
 * - A bare SharedArrayBuffer nested inside such a value can't be carried: Node's
 *   deserializer rejects the id it is given. The encoder reports it ({@link NESTED_SAB})
 *   and the caller sends the whole value through the postMessage side channel.
 *
 */
import v8 from 'node:v8';
import { SabPending, type SabResolver } from './wire.js';
import { VIEW_TYPES, viewLength, viewType } from './views.js';

/** Thrown when a value holds a bare SharedArrayBuffer below the top level. */
export const NESTED_SAB: unique symbol = Symbol('skein.v8.nestedSab') as never;

const VIEW_PLAIN = 0;
const VIEW_SHARED = 1;

class SkeinSerializer extends v8.DefaultSerializer {
  sabs!: SabResolver;

  _getSharedArrayBufferId(): number {
    throw NESTED_SAB;
  }

  _writeHostObject(view: NodeJS.TypedArray | DataView): void {
    if (view.buffer instanceof SharedArrayBuffer) {
      const t = viewType(view);
      if (t < 0) throw NESTED_SAB;
      this.writeUint32(VIEW_SHARED);
      this.writeUint32(t);
      this.writeUint32(this.sabs.idOf(view.buffer));
      this.writeUint32(view.byteOffset);
      this.writeUint32(viewLength(view));
      return;
    }
    this.writeUint32(VIEW_PLAIN);
    (v8.DefaultSerializer.prototype as unknown as { _writeHostObject(v: unknown): void })._writeHostObject.call(
      this,
      view,
    );
  }
}

class SkeinDeserializer extends v8.DefaultDeserializer {
  sabs!: SabResolver;

  _readHostObject(): unknown {
    if (this.readUint32() === VIEW_SHARED) {
      const ctor = VIEW_TYPES[this.readUint32()]!;
      const id = this.readUint32();
      const offset = this.readUint32();
      const length = this.readUint32();
      const sab = this.sabs.get(id);
      if (sab === undefined) throw new SabPending(id);
      return new ctor(sab, offset, length);
    }
    return (v8.DefaultDeserializer.prototype as unknown as { _readHostObject(): unknown })._readHostObject.call(this);
  }
}

/**
 * Structured-clone `value` into bytes. Throws NESTED_SAB (use the side channel) or the
 * serializer's DataCloneError (the value can't cross threads at all).
 */
export function v8Encode(value: unknown, sabs: SabResolver): Buffer {
  const s = new SkeinSerializer();
  s.sabs = sabs;
  s.writeHeader();
  s.writeValue(value);
  return s.releaseBuffer();
}

/**
 * Decode bytes made by {@link v8Encode}. `bytes` must be a private copy: decoded typed
 * arrays may alias it. Throws {@link SabPending} when a shared buffer hasn't arrived.
 */
export function v8Decode(bytes: Buffer, sabs: SabResolver): unknown {
  const d = new SkeinDeserializer(bytes);
  d.sabs = sabs;
  d.readHeader();
  return d.readValue();
}
