/**
 * The fast wire format shared by WireWriter (wire.ts) and WireReader (wire_reader.ts):
 * one tag byte per value, little-endian numbers, UTF-8 strings. See wire.ts for why it
 * exists and what it covers.
 */

/** Thrown by the encoder when a value needs the general (v8) serializer. */
export const WIRE_BAIL: unique symbol = Symbol('skein.wire.bail') as never;

export const T_UNDEFINED = 0;
export const T_NULL = 1;
export const T_TRUE = 2;
export const T_FALSE = 3;
export const T_INT = 4;
export const T_F64 = 5;
export const T_STR = 6;
export const T_ARRAY = 7;
export const T_OBJECT = 8;
export const T_SAB = 9;
export const T_VIEW = 10;
export const T_DATE = 11;
export const T_MAP = 12;
export const T_SET = 13;
export const T_BIGINT = 14;
export const T_ARRAY_BUFFER = 15;
/** A cross-thread primitive's handle (sync/handle_codec.ts): kind, then its SharedArrayBuffer's id. */
export const T_HANDLE = 16;

/** Buffer's native UTF-8 helpers (public in Node, missing from @types/node). */
export interface Utf8Buffer {
  utf8Write(s: string, offset: number, length: number): number;
  utf8Slice(start: number, end: number): string;
}

/** Most objects and arrays one value may contain before the v8 path is cheaper. */
export const MAX_NODES = 256;

/** Resolves SharedArrayBuffers to registry ids (encode) and back (decode). */
export interface SabResolver {
  idOf(sab: SharedArrayBuffer): number;
  get(id: number): SharedArrayBuffer | undefined;
}

/** A missing SharedArrayBuffer: its registration message hasn't reached this thread yet. */
export class SabPending {
  constructor(readonly id: number) {}
}
