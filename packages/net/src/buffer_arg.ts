import { typeError } from '@skein/core';

/** Throw a TypeError (`ERR_INVALID_ARG_TYPE`) unless `buf` is a Uint8Array (a Buffer is one). */
export function checkBuffer(buf: unknown): asserts buf is Uint8Array {
  if (!(buf instanceof Uint8Array)) {
    throw typeError(
      `The "buf" argument must be a Uint8Array (or Buffer). Received ${buf === null ? 'null' : typeof buf}`,
    );
  }
}
