export {
  SkeinError,
  Cancelled,
  Elapsed,
  NoRuntimeError,
  RuntimeShutdownError,
  NotSendableError,
  SerializationError,
  TaskModuleSideEffectError,
} from './skein_error.js';
export { JoinError } from './join_error.js';
export { SendError, TrySendError, SendTimeoutError, RecvError, TryRecvError } from './channel_errors.js';
export { AcquireError, TryAcquireError, TryLockError, AlreadyReleasedError, SetError } from './sync_errors.js';
export { rangeError, typeError, assertFunction, assertNumber, assertDuration } from './invalid_argument.js';
export type { CodedRangeError, CodedTypeError } from './invalid_argument.js';
