/**
 * The multi-thread scheduler's shared-memory structures (DESIGN.md, "Threads and who owns
 * what"): every cross-thread queue, park word and mailbox lives in a SharedArrayBuffer
 * indexed by int32, modelled on Tokio's `scheduler/multi_thread/{queue,idle,park}.rs`.
 */

export { LocalQueue, LOCAL_QUEUE_CAPACITY, type OverflowSink } from './local_queue.js';
export { InjectQueue, INJECT_MIN_CAPACITY, INJECT_MAX_CAPACITY } from './inject_queue.js';
export { Mailbox, MAILBOX_MIN_CAPACITY, MAILBOX_MAX_CAPACITY } from './mailbox.js';
export { Parker, EMPTY, PARKED, NOTIFIED } from './parker.js';
export { Idle, IDLE_MAX_WORKERS } from './idle.js';
export { SharedLayout, type LayoutOptions, type LayoutOffsets } from './layout.js';
export { InjectFullError, ERR_SKEIN_INJECT_FULL } from './errors.js';
export { waitAsync, type WaitAsyncResult } from './wait_async.js';
