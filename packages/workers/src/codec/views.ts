/**
 * Typed-array and DataView kinds, shared by both codecs: a view is written as its kind's
 * index, so the reader rebuilds the same class (a Buffer arrives as a Uint8Array, as with
 * structured clone).
 */

/** Constructor shape common to every view kind. */
export type ViewCtor = new (buffer: ArrayBufferLike, byteOffset: number, length: number) => ArrayBufferView;

export const VIEW_TYPES: readonly ViewCtor[] = [
  Int8Array,
  Uint8Array,
  Uint8ClampedArray,
  Int16Array,
  Uint16Array,
  Int32Array,
  Uint32Array,
  Float32Array,
  Float64Array,
  DataView as unknown as ViewCtor,
  BigInt64Array,
  BigUint64Array,
];

/** Index of `v`'s kind in VIEW_TYPES, or -1 for a kind this codec doesn't know. */
export function viewType(v: ArrayBufferView): number {
  const c = v.constructor;
  for (let i = 0; i < VIEW_TYPES.length; i++) if (c === VIEW_TYPES[i]) return i;
  return Buffer.isBuffer(v) ? 1 : -1;
}

/** Elements (or bytes, for a DataView) of `v`: the constructor's length argument. */
export function viewLength(v: ArrayBufferView): number {
  return v instanceof DataView ? v.byteLength : (v as Uint8Array).length;
}
