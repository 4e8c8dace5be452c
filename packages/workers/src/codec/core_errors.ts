/**
 * skein's own error classes, made rebuildable by the error codec (error_codec.ts) on the
 * thread that imports this module: every error class `@skein/core` exports, and JoinError
 * through its constructor. The codec itself stays free of `@skein/core` so that pool
 * threads, which only encode, start light; the modules that decode import this one.
 */
import * as core from '@skein/core';
import { registerErrorClass, registerJoinError } from './error_codec.js';

for (const [name, value] of Object.entries(core)) {
  if (typeof value === 'function' && value.prototype instanceof Error && name !== 'JoinError') {
    registerErrorClass(value as abstract new (...args: never[]) => Error);
  }
}
registerJoinError((kind, taskId, cause) => new core.JoinError(kind, taskId, cause));
