/**
 * Cross-thread sync primitives and channels (API.md, "Cross-thread sync and channels"):
 * core's in-thread primitives, backed by SharedArrayBuffer so tasks on every thread of a
 * runtime can share them and pass them to each other as task arguments.
 */
export { SharedSemaphore, SharedPermit, type SharedSemaphoreOptions } from './shared_semaphore.js';
export { SharedMutex, SharedMutexGuard, type SharedMutexOptions } from './shared_mutex.js';
export {
  SharedRwLock,
  SharedRwLockReadGuard,
  SharedRwLockWriteGuard,
  type SharedRwLockOptions,
} from './shared_rwlock.js';
export { sharedMpsc, type SharedMpscOptions } from './shared_mpsc.js';
export { SharedSender, SharedUnboundedSender } from './shared_mpsc_sender.js';
export { SharedReceiver } from './shared_mpsc_receiver.js';
export { SharedNotify, type SharedNotifyOptions } from './shared_notify.js';
export { SharedBarrier } from './shared_barrier.js';
export { SharedOnceCell, type SharedOnceCellOptions } from './shared_once_cell.js';
export {
  sharedOneshot,
  SharedOneshotSender,
  SharedOneshotReceiver,
  type SharedOneshotOptions,
} from './shared_oneshot.js';
export { sharedWatch, SharedWatchSender, SharedWatchReceiver, type SharedWatchOptions } from './shared_watch.js';
export {
  sharedBroadcast,
  SharedBroadcastSender,
  SharedBroadcastReceiver,
  type SharedBroadcastOptions,
} from './shared_broadcast.js';
