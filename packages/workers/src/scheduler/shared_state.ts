/**
 * Every piece of shared memory one multi-thread runtime uses, made on the main thread and
 * attached by each worker from `workerData`.
 *
 * `SharedLayout` (shared/) holds the scheduler structures Tokio's multi_thread module has:
 * the inject queue, per-worker local queues, parkers and the idle/searching state. This
 * adds what a JavaScript runtime needs on top:
 *
 * - **control**: runtime-wide counters (task-id blocks, side-channel ids, shutdown), one
 *   64-byte line of words per thread (LIFO slot, searching flag) and one 128-byte line of
 *   float64 metrics per thread, written by the owner and read by anyone, so
 *   `runtime.metrics()` is synchronous.
 * - **mailboxes**: completion mailboxes sized so a completion can never be lost (see
 *   {@link mailboxCapacity}): memory per worker stays linear in its own slots.
 * - **slots**, **types**, **arena**: see task_slots.ts, type_registry.ts, codec/arena.ts.
 */
import { Arena } from '../codec/arena.js';
import { SharedLayout, type LayoutOptions } from '../shared/layout.js';
import { Mailbox } from '../shared/mailbox.js';
import { SlotTable } from './task_slots.js';
import { TypeRegistry } from './type_registry.js';
import { createHistogram, type RecordableHistogram } from 'node:perf_hooks';

// control: header words
export const C_NEXT_ID_BLOCK = 0;
export const C_NEXT_CHANNEL_ID = 1;
export const C_SHUTDOWN = 2;
const HEADER_WORDS = 16;
// control: per-thread words (16 per thread)
export const T_LIFO = 0;
export const T_SEARCHING = 1;
const THREAD_WORDS = 16;
// control: per-thread float64 metrics (16 per thread)
export const M_POLLS = 0;
export const M_PARKS = 1;
export const M_UNPARKS = 2;
export const M_BUSY_MS = 3;
export const M_LOCAL_SCHEDULE = 4;
export const M_SPAWNED = 5;
export const M_FINISHED = 6;
export const M_BUDGET_YIELDS = 7;
// the thread's performance.eventLoopUtilization(), cumulative ms
export const M_LOOP_ACTIVE_MS = 8;
export const M_LOOP_IDLE_MS = 9;
const METRIC_SLOTS = 16;
/** Bytes of module URL and export name the type table keeps per type, on average. */
const TYPE_NAME_BYTES = 256;

/** Sizes of a runtime's shared memory. */
export interface SharedSizes {
  workers: number;
  /** Task slots of the main thread (tasks it can have in flight before spawns wait). */
  mainSlots: number;
  /** Task slots of each worker. */
  workerSlots: number;
  /** Overflow arena bytes. */
  arenaBytes: number;
  /** Distinct task types. */
  taskTypes: number;
}

/** What a worker receives to attach to the runtime's memory. */
export interface SharedInit {
  readonly sizes: SharedSizes;
  readonly layout: SharedArrayBuffer;
  readonly control: SharedArrayBuffer;
  readonly mailboxes: SharedArrayBuffer;
  readonly slots: SharedArrayBuffer;
  readonly types: SharedArrayBuffer;
  readonly arena: SharedArrayBuffer;
  /**
   * Worker `i`'s poll-time histogram (nanoseconds). Not shared memory, but as good: the
   * copy each thread gets from `workerData` shares the native histogram, so the main
   * thread reads what the worker records, and a replacement worker goes on recording.
   */
  readonly pollTimeNs: readonly RecordableHistogram[];
  readonly channelName: string;
}

function pow2AtLeast(n: number): number {
  let p = 2;
  while (p < n) p *= 2;
  return p;
}

/**
 * A completion can never be lost: each slot sends its spawner one completion (or
 * cancelled-while-queued notice) while occupied, so a mailbox holds one per own slot. A
 * worker's also takes abort notices for the tasks it runs, as many again as it has slots;
 * past that, notices fall back to a sweep (the mailbox's signal), which keeps the size linear
 * in the worker's own slots rather than in every slot of the runtime.
 */
function mailboxCapacity(sizes: SharedSizes, thread: number): number {
  return thread === sizes.workers ? pow2AtLeast(sizes.mainSlots) : pow2AtLeast(2 * sizes.workerSlots);
}

function mailboxOffsets(sizes: SharedSizes): number[] {
  const out: number[] = [];
  let off = 0;
  for (let t = 0; t <= sizes.workers; t++) {
    out.push(off);
    off += Math.ceil(Mailbox.bytesFor(mailboxCapacity(sizes, t)) / 64) * 64;
  }
  out.push(off);
  return out;
}

function layoutOptions(sizes: SharedSizes): LayoutOptions {
  const totalSlots = sizes.mainSlots + sizes.workers * sizes.workerSlots;
  return { workers: sizes.workers, injectCapacity: pow2AtLeast(totalSlots + 1), mailboxCapacity: 2 };
}

function controlBytes(sizes: SharedSizes): number {
  return (HEADER_WORDS + (sizes.workers + 1) * THREAD_WORDS) * 4 + (sizes.workers + 1) * METRIC_SLOTS * 8;
}

/** The runtime's shared memory as seen from one thread. */
export class SharedState {
  /** Bytes of shared memory {@link create} allocates for `sizes`. */
  static bytesFor(sizes: SharedSizes): number {
    return (
      SharedLayout.bytesFor(layoutOptions(sizes)) +
      controlBytes(sizes) +
      mailboxOffsets(sizes)[sizes.workers + 1]! +
      SlotTable.bytesFor(sizes.mainSlots + sizes.workers * sizes.workerSlots) +
      TypeRegistry.bytesFor(sizes.taskTypes, sizes.taskTypes * TYPE_NAME_BYTES) +
      sizes.arenaBytes
    );
  }

  /** Allocate everything (main thread, once per runtime). */
  static create(sizes: SharedSizes, channelName: string): SharedInit {
    const totalSlots = sizes.mainSlots + sizes.workers * sizes.workerSlots;
    const layout = SharedLayout.create(layoutOptions(sizes));
    const control = new SharedArrayBuffer(controlBytes(sizes));
    const offs = mailboxOffsets(sizes);
    const mailboxes = new SharedArrayBuffer(offs[sizes.workers + 1]!);
    for (let t = 0; t <= sizes.workers; t++) Mailbox.initialize(mailboxes, offs[t]!, mailboxCapacity(sizes, t));
    const slots = new SharedArrayBuffer(SlotTable.bytesFor(totalSlots));
    const types = TypeRegistry.create(sizes.taskTypes, sizes.taskTypes * TYPE_NAME_BYTES);
    const arena = Arena.create(sizes.arenaBytes);
    const pollTimeNs = Array.from({ length: sizes.workers }, () => createHistogram());
    return { sizes, layout: layout.sab, control, mailboxes, slots, types, arena, pollTimeNs, channelName };
  }

  readonly init: SharedInit;
  readonly sizes: SharedSizes;
  readonly workers: number;
  /** Thread index of the main thread (workers are 0..workers-1). */
  readonly mainThread: number;
  readonly layout: SharedLayout;
  readonly control: Int32Array;
  readonly metrics: Float64Array;
  readonly mailboxes: readonly Mailbox[];
  readonly slots: SlotTable;
  readonly types: TypeRegistry;
  readonly arena: Arena;

  constructor(init: SharedInit) {
    this.init = init;
    this.sizes = init.sizes;
    this.workers = init.sizes.workers;
    this.mainThread = this.workers;
    this.layout = SharedLayout.attach(init.layout);
    const words = HEADER_WORDS + (this.workers + 1) * THREAD_WORDS;
    this.control = new Int32Array(init.control, 0, words);
    this.metrics = new Float64Array(init.control, words * 4, (this.workers + 1) * METRIC_SLOTS);
    const offs = mailboxOffsets(init.sizes);
    const boxes: Mailbox[] = [];
    for (let t = 0; t <= this.workers; t++) boxes.push(new Mailbox(init.mailboxes, offs[t]!));
    this.mailboxes = boxes;
    this.slots = new SlotTable(init.slots);
    this.types = new TypeRegistry(init.types);
    this.arena = new Arena(init.arena);
  }

  /** Index into `control` of thread `t`'s word `field`. */
  threadWord(t: number, field: number): number {
    return HEADER_WORDS + t * THREAD_WORDS + field;
  }

  /** Index into `metrics` of thread `t`'s metric `field`. */
  metric(t: number, field: number): number {
    return t * METRIC_SLOTS + field;
  }

  /** First slot index of thread `t`'s partition. */
  slotBase(t: number): number {
    return t * this.sizes.workerSlots;
  }

  /** Slots in thread `t`'s partition. */
  slotCount(t: number): number {
    return t === this.mainThread ? this.sizes.mainSlots : this.sizes.workerSlots;
  }

  /** The thread whose partition holds slot `s`. */
  partitionOf(s: number): number {
    const t = Math.floor(s / this.sizes.workerSlots);
    return t >= this.workers ? this.mainThread : t;
  }

  /**
   * Wake one parked worker if nobody is searching (Tokio's `notify_parked`). The woken
   * worker is counted as searching by `Idle`; its searching word says so *before* it is
   * unparked, so that if it dies before it wakes up, recovery can undo the count.
   */
  wakeOne(): void {
    const w = this.layout.idle.workerToNotify();
    if (w < 0) return;
    Atomics.store(this.control, this.threadWord(w, T_SEARCHING), 1);
    this.layout.parkers[w]!.unpark();
  }

  /**
   * Whether shutdown has begun. A plain read, once per worker tick: an Atomics.load there
   * cost ~150 instructions a task, and a worker that reads it a moment late still stops on
   * the stop message and claims nothing once a queued task's abort CAS has won.
   */
  get isShutdown(): boolean {
    return this.control[C_SHUTDOWN] !== 0;
  }
}
