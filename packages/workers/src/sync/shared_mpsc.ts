/**
 * `sharedMpsc`: core's `mpsc` namespace for tasks on different threads. Bounded channels
 * apply backpressure FIFO across threads; unbounded ones never make a sender wait.
 */
import { assertNumber, rangeError } from '@skein/core';
import { MAX_PERMITS } from '@skein/core/internal';
import { Chan, defaultRingBytes } from './mpsc_chan.js';
import { DEFAULT_MAX_QUEUED } from './permit_core.js';
import {
  sharedSenderOf,
  sharedUnboundedSenderOf,
  type SharedSender,
  type SharedUnboundedSender,
} from './shared_mpsc_sender.js';
import { sharedReceiverOf, type SharedReceiver } from './shared_mpsc_receiver.js';
import { DEFAULT_MAX_BYTES, checkMaxBytes } from './value_codec.js';

/** Options of a sharedMpsc channel. */
export interface SharedMpscOptions {
  /** Most bytes one encoded value may take (default 64 KiB); a larger one throws RangeError. */
  maxBytes?: number;
  /**
   * Bytes of the shared ring messages travel in, a power of two (default: room for a full
   * channel of small messages, and at least twice `maxBytes`).
   */
  ringBytes?: number;
  /** Senders queued in shared memory at once while the channel is full (default 256). */
  maxQueued?: number;
}

function ringBytesOf(capacity: number, opts: SharedMpscOptions, maxBytes: number): number {
  const ring = opts.ringBytes ?? defaultRingBytes(capacity, maxBytes);
  if (!Number.isInteger(ring) || ring < 64 || ring > 1 << 30 || (ring & (ring - 1)) !== 0) {
    throw rangeError(`ringBytes must be a power of two in [64, 2^30], got ${ring}`);
  }
  if (ring < 2 * (maxBytes + 8))
    throw rangeError(`ringBytes (${ring}) must be at least twice maxBytes + 8 (${2 * (maxBytes + 8)})`);
  return ring;
}

/** Cross-thread mpsc channels (API.md, "Cross-thread sync and channels"). */
export const sharedMpsc = {
  /**
   * A bounded channel of `capacity` messages (>= 1). Pass either half to tasks on any
   * thread. Errors: RangeError for a capacity or option out of range.
   */
  channel<T>(capacity: number, opts: SharedMpscOptions = {}): [SharedSender<T>, SharedReceiver<T>] {
    assertNumber(capacity, 'capacity', 1, true);
    if (capacity > MAX_PERMITS) throw rangeError(`capacity must be at most ${MAX_PERMITS}, got ${capacity}`);
    const maxBytes = opts.maxBytes ?? DEFAULT_MAX_BYTES;
    checkMaxBytes(maxBytes);
    const chan = Chan.create(
      { capacity, maxBytes, ringBytes: ringBytesOf(capacity, opts, maxBytes) },
      opts.maxQueued ?? DEFAULT_MAX_QUEUED,
    );
    return [sharedSenderOf<T>(chan), sharedReceiverOf<T>(chan)];
  },

  /** An unbounded channel: `send` is synchronous and never waits. */
  unboundedChannel<T>(opts: SharedMpscOptions = {}): [SharedUnboundedSender<T>, SharedReceiver<T>] {
    const maxBytes = opts.maxBytes ?? DEFAULT_MAX_BYTES;
    checkMaxBytes(maxBytes);
    const chan = Chan.create({ capacity: 0, maxBytes, ringBytes: ringBytesOf(0, opts, maxBytes) }, 1);
    return [sharedUnboundedSenderOf<T>(chan), sharedReceiverOf<T>(chan)];
  },
};
