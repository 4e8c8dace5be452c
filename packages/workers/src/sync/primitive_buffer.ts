/**
 * The SharedArrayBuffer of one lock-like primitive: a 16-word header (magic, handle kind,
 * node count, the primitive's parameters), the permit core, then the primitive's own
 * region (a value cell). A handle rebuilt on another thread reads everything it needs from
 * here, so a handle crosses as its buffer alone.
 */
import { rangeError } from '@skein/core';
import { HandleKind } from './handle_codec.js';
import { PermitCore } from './permit_core.js';

/** Kinds whose permits are held by tasks (locks), owned by the holder's thread until released. */
const TRACKED: ReadonlySet<number> = new Set([
  HandleKind.semaphore,
  HandleKind.mutex,
  HandleKind.rwlock,
  HandleKind.onceCell,
]);

/** "SKS1". */
const MAGIC = 0x534b5331;
const H_MAGIC = 0;
const H_KIND = 1;
const H_MAX_QUEUED = 2;
const H_PARAMS = 3;
/** Parameters a primitive may keep in the header. */
const MAX_PARAMS = 5;
const CORE_BASE = 16;

/** The kind of primitive `sab` holds, or undefined if it holds none. */
export function primitiveKind(sab: SharedArrayBuffer): number | undefined {
  if (sab.byteLength < CORE_BASE * 4) return undefined;
  const words = new Int32Array(sab, 0, CORE_BASE);
  return Atomics.load(words, H_MAGIC) === MAGIC ? words[H_KIND] : undefined;
}

/** The identity of the primitive `sab` holds (`PermitCore.id`); call {@link primitiveKind} first. */
export function primitiveId(sab: SharedArrayBuffer): number {
  return PermitCore.idAt(new Int32Array(sab, 0, CORE_BASE + 16), CORE_BASE);
}

/** A primitive's memory, as seen from this thread. */
export interface PrimitiveBuffer {
  readonly sab: SharedArrayBuffer;
  readonly words: Int32Array;
  readonly core: PermitCore;
  /** The primitive's parameters, as given to {@link allocatePrimitive}. */
  readonly params: readonly number[];
  /** Byte offset of the primitive's own region (8-byte aligned). */
  readonly regionOffset: number;
}

/** Checks `maxQueued` (an option of every primitive): the waiter nodes its core gets. */
function checkMaxQueued(maxQueued: number): void {
  if (!Number.isInteger(maxQueued) || maxQueued < 1 || maxQueued > 1 << 20) {
    throw rangeError(`maxQueued must be an integer in [1, 2^20], got ${maxQueued}`);
  }
}

function regionOffset(maxQueued: number): number {
  return Math.ceil(((CORE_BASE + PermitCore.wordsFor(maxQueued)) * 4) / 8) * 8;
}

/**
 * Allocates a primitive of `kind` with `permits` free permits and `regionBytes` of its own;
 * `cap` bounds the free permits (see `PermitCore.initialize`).
 */
export function allocatePrimitive(
  kind: number,
  permits: number,
  maxQueued: number,
  params: readonly number[],
  regionBytes: number,
  cap = 0,
): PrimitiveBuffer {
  checkMaxQueued(maxQueued);
  const offset = regionOffset(maxQueued);
  const sab = new SharedArrayBuffer(offset + regionBytes);
  const words = new Int32Array(sab);
  words[H_KIND] = kind;
  words[H_MAX_QUEUED] = maxQueued;
  for (let i = 0; i < params.length && i < MAX_PARAMS; i++) words[H_PARAMS + i] = params[i]!;
  const core = PermitCore.initialize(words, CORE_BASE, permits, maxQueued, cap, TRACKED.has(kind));
  Atomics.store(words, H_MAGIC, MAGIC); // last: a buffer with the magic is fully written
  return { sab, words, core, params: params.slice(0, MAX_PARAMS), regionOffset: offset };
}

/** Attaches to a primitive of `kind` that another thread allocated. */
export function attachPrimitive(sab: SharedArrayBuffer, kind: number): PrimitiveBuffer {
  const words = new Int32Array(sab);
  if (Atomics.load(words, H_MAGIC) !== MAGIC || words[H_KIND] !== kind) {
    throw new TypeError(`skein: this SharedArrayBuffer does not hold a shared primitive of kind ${kind}`);
  }
  const maxQueued = words[H_MAX_QUEUED]!;
  const params = Array.from(words.subarray(H_PARAMS, H_PARAMS + MAX_PARAMS));
  return { sab, words, core: new PermitCore(words, CORE_BASE), params, regionOffset: regionOffset(maxQueued) };
}
