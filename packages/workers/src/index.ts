/**
 * @skein/workers: the multi-thread scheduler and the blocking pool. @skein/core loads this
 * package when a runtime asks for either; the exports below are what it calls, plus the
 * pieces that are useful on their own.
 */
export * from './blocking/index.js';
export { createBlockingBackend } from './blocking/backend.js';
