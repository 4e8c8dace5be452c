/**
 * `mpsc`: Tokio's multi-producer, single-consumer channels, as a namespace
 * (`mpsc.channel`, `mpsc.unboundedChannel`, `mpsc.Sender`, …).
 */
export { channel, Sender, Permit } from './bounded.js';
export { unboundedChannel, UnboundedSender } from './unbounded.js';
export { Receiver } from './receiver.js';
export { Receiver as UnboundedReceiver } from './receiver.js';
