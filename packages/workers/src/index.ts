/**
 * @skein/workers: the multi-thread flavour (shared-memory deques, work stealing, parking)
 * and the blocking pool. `@skein/core` loads this package when a runtime asks for them.
 */
export { createMultiThreadBackend } from './runtime/backend.js';
export { WorkerCrashedError, type WorkerCrashReason } from './runtime/errors.js';
export { NestedRuntimeError } from './runtime/nested_runtime_error.js';
export * from './blocking/index.js';
export { createBlockingBackend } from './blocking/backend.js';
export * from './sync/index.js';
