/**
 * The task-slot table: one 128-byte record per task in flight, in shared memory.
 *
 * Tokio's multi-thread scheduler moves `Notified` task pointers through its queues; the
 * task header they point to holds the state word that `abort()`, the worker and the
 * JoinHandle race on. Queues of SharedArrayBuffer int32s can't hold pointers, so they hold
 * slot references (`index + 1`) into this table, and the slot is the header:
 *
 * ```
 *  word  0 STATE    FREE → QUEUED → RUNNING → DONE (or QUEUED → CANCELLED); CAS-driven
 *        1 TYPE     task type id (type_registry.ts: module URL + export name)
 *        2 ID_LO    task id - ID_BASE, low 32 bits
 *        3 ID_HI    high bits
 *        4 SPAWNER  thread that owns the JoinHandle (worker index, or `workers` for main)
 *        5 OWNER    worker that claimed it (-1 while queued)
 *        6 ABORT    1 once the spawner aborted it while running
 *        7 KIND     payload format (payload.ts), args while queued, then the result
 *        8 AUX      arena offset or side-channel id
 *        9 LEN      payload bytes (or float64 count)
 *       10 STATUS   result status: OK, PANIC or CANCELLED
 *    12-31 INLINE   80 bytes of inline payload (ten float64s)
 * ```
 *
 * Slots are partitioned by spawner thread: a thread allocates and frees only its own
 * slots (every slot comes back to its spawner's mailbox exactly once, as a completion or
 * as a cancelled-while-queued notice), so the free lists need no synchronization.
 */

export const SLOT_WORDS = 32;
export const SLOT_BYTES = SLOT_WORDS * 4;

export const S_STATE = 0;
export const S_TYPE = 1;
export const S_ID_LO = 2;
export const S_ID_HI = 3;
export const S_SPAWNER = 4;
export const S_OWNER = 5;
export const S_ABORT = 6;
export const S_KIND = 7;
export const S_AUX = 8;
export const S_LEN = 9;
export const S_STATUS = 10;
export const S_INLINE = 12;
/** Inline payload bytes per slot. */
export const INLINE_BYTES = (SLOT_WORDS - S_INLINE) * 4;

export const FREE = 0;
export const QUEUED = 1;
export const RUNNING = 2;
export const DONE = 3;
export const CANCELLED = 4;

export const STATUS_OK = 0;
export const STATUS_PANIC = 1;
export const STATUS_CANCELLED = 2;

/** Set on a mailbox entry that asks the owner worker to abort the running task. */
export const ABORT_BIT = 1 << 30;

/** Task ids of this scheduler start here, above any thread's own counter (core's LocalTask ids). */
export const ID_BASE = 2 ** 32;

/** Typed views of the slot table. */
export class SlotTable {
  readonly sab: SharedArrayBuffer;
  readonly i32: Int32Array;
  readonly f64: Float64Array;
  readonly bytes: Buffer;
  readonly dv: DataView;
  readonly count: number;

  static bytesFor(count: number): number {
    return count * SLOT_BYTES;
  }

  constructor(sab: SharedArrayBuffer) {
    this.sab = sab;
    this.i32 = new Int32Array(sab);
    this.f64 = new Float64Array(sab);
    this.bytes = Buffer.from(sab);
    this.dv = new DataView(sab);
    this.count = sab.byteLength / SLOT_BYTES;
  }

  /** Word index of slot `s`'s field `field`. */
  static w(s: number, field: number): number {
    return s * SLOT_WORDS + field;
  }

  /** The task id stored in slot `s`. */
  taskId(s: number): number {
    const b = s * SLOT_WORDS;
    return ID_BASE + (this.i32[b + S_ID_LO]! >>> 0) + (this.i32[b + S_ID_HI]! >>> 0) * 2 ** 32;
  }

  /** Store task id `id` in slot `s`. */
  setTaskId(s: number, id: number): void {
    const n = id - ID_BASE;
    const b = s * SLOT_WORDS;
    this.i32[b + S_ID_LO] = n >>> 0;
    this.i32[b + S_ID_HI] = Math.floor(n / 2 ** 32);
  }

  state(s: number): number {
    return Atomics.load(this.i32, s * SLOT_WORDS + S_STATE);
  }
}
