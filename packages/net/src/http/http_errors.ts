/** Errors of the HTTP layer. */
import { SkeinError } from '@skein/core';

/** A request body went past the body limit; the server answers 413. */
export class PayloadTooLargeError extends SkeinError {
  readonly limit: number;
  constructor(limit: number) {
    super(
      'ERR_SKEIN_PAYLOAD_TOO_LARGE',
      `the request body is larger than the limit of ${limit} bytes. Raise it with layers.bodyLimit(bytes) or serve(..., { bodyLimit })`,
    );
    this.limit = limit;
  }
}
