/**
 * One SharedArrayBuffer holding every shared structure of a multi-thread runtime.
 *
 * The runtime allocates it once and hands the same buffer to every worker at start
 * (DESIGN.md, "Shared memory holds all cross-thread state"). Each thread then calls
 * `SharedLayout.attach(sab)`: the header records where everything lives, so workers need
 * no other configuration and can't disagree with the main thread about offsets.
 *
 * Layout (byte offsets; every region starts on a 64-byte line so neighbouring workers'
 * hot words never share a cache line):
 *
 * ```
 *   0                     header, 16 int32 words (see H_* below)
 *   64                    Idle            Idle.bytesFor(workers), rounded up to 64
 *   idleOffset + ...      InjectQueue     64 + 4 * injectCapacity
 *   localQueuesOffset     LocalQueue[i]   i * 1088   (64-byte header + 256 slots each)
 *   parkersOffset         Parker[i]       i * 64     (one word per line)
 *   mailboxesOffset       Mailbox[m]      m * (256 + 4 * mailboxCapacity)
 * ```
 *
 * Mailboxes: index `i < workers` belongs to worker `i`; index `workers` (the last) belongs
 * to the main thread, which owns the JoinHandles of the tasks it spawns.
 */

import { rangeError } from '@skein/core';
import { checkPowerOfTwo } from './errors.js';
import { Idle } from './idle.js';
import { InjectQueue } from './inject_queue.js';
import { LocalQueue } from './local_queue.js';
import { Mailbox } from './mailbox.js';
import { Parker } from './parker.js';

/** "SKN1": marks a buffer written by {@link SharedLayout.create}. */
const MAGIC = 0x534b4e31;
const VERSION = 1;

// Header word indices.
const H_MAGIC = 0;
const H_VERSION = 1;
const H_WORKERS = 2;
const H_MAILBOXES = 3;
const H_INJECT_CAPACITY = 4;
const H_MAILBOX_CAPACITY = 5;
const H_IDLE = 6;
const H_INJECT = 7;
const H_LOCAL_QUEUES = 8;
const H_PARKERS = 9;
const H_MAILBOXES_OFFSET = 10;
const H_TOTAL_BYTES = 11;
const HEADER_BYTES = 64;

const LINE = 64;
const align = (n: number): number => Math.ceil(n / LINE) * LINE;

/** Sizes of a runtime's shared structures. */
export interface LayoutOptions {
  /** Worker threads (each gets a local queue, a parker and a mailbox). */
  workers: number;
  /** Inject queue slots, a power of two. Default 1 << 20 (4 MiB). */
  injectCapacity?: number;
  /** Slots per mailbox, a power of two. Default 1 << 14. */
  mailboxCapacity?: number;
}

/** Byte offsets of every region, as recorded in the header. */
export interface LayoutOffsets {
  idle: number;
  inject: number;
  localQueues: number;
  localQueueStride: number;
  parkers: number;
  parkerStride: number;
  mailboxes: number;
  mailboxStride: number;
  totalBytes: number;
}

function computeOffsets(workers: number, injectCapacity: number, mailboxCapacity: number): LayoutOffsets {
  const idle = HEADER_BYTES;
  const inject = idle + align(Idle.bytesFor(workers));
  const localQueues = inject + align(InjectQueue.bytesFor(injectCapacity));
  const localQueueStride = align(LocalQueue.bytesFor());
  const parkers = localQueues + workers * localQueueStride;
  const parkerStride = align(Parker.bytesFor());
  const mailboxes = parkers + workers * parkerStride;
  const mailboxStride = align(Mailbox.bytesFor(mailboxCapacity));
  const totalBytes = mailboxes + (workers + 1) * mailboxStride;
  return { idle, inject, localQueues, localQueueStride, parkers, parkerStride, mailboxes, mailboxStride, totalBytes };
}

/** All shared structures of one runtime, as seen from the calling thread. */
export class SharedLayout {
  /** Bytes a buffer for `options` needs. */
  static bytesFor(options: LayoutOptions): number {
    const { workers, injectCapacity, mailboxCapacity } = SharedLayout.resolve(options);
    return computeOffsets(workers, injectCapacity, mailboxCapacity).totalBytes;
  }

  /** Allocates and initializes the buffer. Call once, on the thread that starts the runtime. */
  static create(options: LayoutOptions): SharedLayout {
    const { workers, injectCapacity, mailboxCapacity } = SharedLayout.resolve(options);
    const off = computeOffsets(workers, injectCapacity, mailboxCapacity);
    const sab = new SharedArrayBuffer(off.totalBytes);
    Idle.initialize(sab, off.idle, workers);
    InjectQueue.initialize(sab, off.inject, injectCapacity);
    for (let m = 0; m <= workers; m++) Mailbox.initialize(sab, off.mailboxes + m * off.mailboxStride, mailboxCapacity);
    // Local queues and parkers start zeroed, which is their empty state.
    const h = new Int32Array(sab, 0, HEADER_BYTES / 4);
    h[H_VERSION] = VERSION;
    h[H_WORKERS] = workers;
    h[H_MAILBOXES] = workers + 1;
    h[H_INJECT_CAPACITY] = injectCapacity;
    h[H_MAILBOX_CAPACITY] = mailboxCapacity;
    h[H_IDLE] = off.idle;
    h[H_INJECT] = off.inject;
    h[H_LOCAL_QUEUES] = off.localQueues;
    h[H_PARKERS] = off.parkers;
    h[H_MAILBOXES_OFFSET] = off.mailboxes;
    h[H_TOTAL_BYTES] = off.totalBytes;
    Atomics.store(h, H_MAGIC, MAGIC); // last: a buffer with the magic is fully initialized
    return new SharedLayout(sab);
  }

  /** Attaches to a buffer made by {@link create}, from any thread. */
  static attach(sab: SharedArrayBuffer): SharedLayout {
    return new SharedLayout(sab);
  }

  private static resolve(options: LayoutOptions): Required<LayoutOptions> {
    const { workers, injectCapacity = 1 << 20, mailboxCapacity = 1 << 14 } = options;
    if (!Number.isInteger(workers) || workers < 1 || workers > 1024) {
      throw rangeError(`workers must be an integer in [1, 1024], got ${workers}`);
    }
    checkPowerOfTwo(injectCapacity, 2, 1 << 28, 'injectCapacity');
    checkPowerOfTwo(mailboxCapacity, 2, 1 << 28, 'mailboxCapacity');
    return { workers, injectCapacity, mailboxCapacity };
  }

  /** The buffer to hand to every worker. */
  readonly sab: SharedArrayBuffer;
  /** Worker threads. */
  readonly workers: number;
  /** Region offsets, for diagnostics. */
  readonly offsets: LayoutOffsets;
  /** Idle/searching accounting. */
  readonly idle: Idle;
  /** The global run queue. */
  readonly inject: InjectQueue;
  /** Worker `i`'s local run queue (any thread may steal from it). */
  readonly localQueues: readonly LocalQueue[];
  /** Worker `i`'s park word. */
  readonly parkers: readonly Parker[];
  /** Completion mailboxes: `i < workers` for worker `i`, then the main thread's. */
  readonly mailboxes: readonly Mailbox[];

  private constructor(sab: SharedArrayBuffer) {
    if (sab.byteLength < HEADER_BYTES) throw rangeError('SharedLayout: buffer too small for a header');
    const h = new Int32Array(sab, 0, HEADER_BYTES / 4);
    if (Atomics.load(h, H_MAGIC) !== MAGIC || h[H_VERSION] !== VERSION) {
      throw rangeError(
        'SharedLayout.attach: this buffer was not made by SharedLayout.create (of this version)',
        'ERR_INVALID_ARG_VALUE',
      );
    }
    const workers = h[H_WORKERS]!;
    const off = computeOffsets(workers, h[H_INJECT_CAPACITY]!, h[H_MAILBOX_CAPACITY]!);
    if (off.totalBytes !== h[H_TOTAL_BYTES] || off.totalBytes !== sab.byteLength) {
      throw rangeError('SharedLayout.attach: header offsets do not match the buffer', 'ERR_INVALID_ARG_VALUE');
    }
    this.sab = sab;
    this.workers = workers;
    this.offsets = off;
    this.idle = new Idle(sab, off.idle);
    this.inject = new InjectQueue(sab, off.inject);
    const queues: LocalQueue[] = [];
    const parkers: Parker[] = [];
    const mailboxes: Mailbox[] = [];
    for (let i = 0; i < workers; i++) {
      queues.push(new LocalQueue(sab, off.localQueues + i * off.localQueueStride));
      parkers.push(new Parker(sab, off.parkers + i * off.parkerStride));
    }
    for (let m = 0; m <= workers; m++) mailboxes.push(new Mailbox(sab, off.mailboxes + m * off.mailboxStride));
    this.localQueues = queues;
    this.parkers = parkers;
    this.mailboxes = mailboxes;
  }

  /** The main thread's completion mailbox (the last one). */
  get mainMailbox(): Mailbox {
    return this.mailboxes[this.workers]!;
  }
}
