/**
 * How a cross-thread primitive crosses threads as (part of) a task argument or result.
 *
 * Structured clone would turn a handle into `{}`: it copies own data properties and drops
 * the prototype. A handle instead describes itself as (kind, SharedArrayBuffer); the wire
 * codec writes that as one tagged value (`codec/wire.ts`, `T_HANDLE`) and the reading
 * thread rebuilds the handle over the same buffer with {@link reviveHandle}. Handle
 * classes register their kind when their module loads (`revive.ts` loads them all, and the
 * wire reader loads it), so this module imports only the (import-free) thread ledger and
 * can't take part in a cycle.
 */
import { threadLedger } from './thread_ledger.js';

/** The method a handle implements to cross threads. */
export const SHARED_HANDLE: unique symbol = Symbol.for('skein.sharedHandle') as never;

/** What a handle crosses as. */
export interface HandleDescriptor {
  /** Which class rebuilds it (see {@link HandleKind}). */
  readonly kind: number;
  /** The primitive's memory, shared (not copied) with the other thread. */
  readonly sab: SharedArrayBuffer;
  /**
   * Commits the crossing once the payload carrying it is complete: a channel end counts the
   * copy about to exist on the other thread, or marks itself moved. Deferred so that a
   * payload that fails to encode (a later argument can't cross) changes nothing.
   */
  readonly send?: () => void;
}

/**
 * An object that crosses threads as a {@link HandleDescriptor}. The handle classes don't
 * declare `implements SharedHandle`: their `[SHARED_HANDLE]` is tagged internal, so stripped
 * from the published .d.ts, where the clause would then no longer type-check. The method's
 * own signature keeps them in line, and {@link isSharedHandle} finds it at run time.
 */
export interface SharedHandle {
  /**
   * Describe this handle for another thread, changing nothing (its `send` does, once the
   * payload is complete). Throws if the handle can't cross (closed, moved).
   */
  [SHARED_HANDLE](): HandleDescriptor;
}

/** Kinds of handle, one per class; stable, as they are written into payloads. */
export const HandleKind = {
  semaphore: 1,
  mutex: 2,
  rwlock: 3,
  mpscSender: 4,
  mpscUnboundedSender: 5,
  mpscReceiver: 6,
  notify: 7,
  barrier: 8,
  onceCell: 9,
  oneshotSender: 10,
  oneshotReceiver: 11,
  watchSender: 12,
  watchReceiver: 13,
  broadcastSender: 14,
  broadcastReceiver: 15,
} as const;

/**
 * A descriptor's `kind` is a u32 on the wire; the class takes the low byte, and a handle
 * may carry 24 bits of its own state in the rest (a broadcast receiver's position, a watch
 * receiver's seen version: what a moved copy must keep and the buffer can't hold per copy).
 */
const KIND_BITS = 8;
/** Values `withState` can carry (the low 24 bits of a counter). */
export const HANDLE_STATE_MASK = 0xffffff;

/** `kind` carrying `state` (its low 24 bits) for the rebuilt handle. */
export function withState(kind: number, state: number): number {
  return (kind | ((state & HANDLE_STATE_MASK) << KIND_BITS)) >>> 0;
}

/**
 * The counter a handle's 24-bit `state` stood for, given the counter's value `now`, which
 * has only moved forward since (by less than 2^24).
 */
export function unwrapState(state: number, now: number): number {
  return (now - ((now - state) & HANDLE_STATE_MASK)) | 0;
}

/** A handle that its receiving task owns: closed when the task finishes (Rust's move + Drop). */
export interface OwnedHandle {
  /** Drops the task's copy; a no-op if it was closed or moved on already. */
  drop(): void;
}

/**
 * The handles the current decode rebuilt: `undefined` outside a decode, `null` inside one
 * that has rebuilt none yet (most decodes: the array is made only for the first handle).
 */
let adopted: OwnedHandle[] | null | undefined;

/**
 * Runs `decode` (a task's arguments, or a result) and returns what it decoded with the
 * handles it rebuilt, which the task now owns: the task runner drops them when the task
 * finishes. A decode that throws counts nothing: what the handles it rebuilt so far counted
 * on this thread is given back, so decoding again later (an argument was still on its way)
 * doesn't count them twice.
 */
export function decodeOwned<T>(decode: () => T): { value: T; owned: OwnedHandle[] | undefined } {
  const outer = adopted;
  adopted = null;
  const ledger = threadLedger();
  const mark = ledger?.record() ?? 0;
  let done = false;
  try {
    const value = decode();
    done = true;
    return { value, owned: adopted ?? undefined };
  } finally {
    ledger?.settle(mark, !done);
    adopted = outer;
  }
}

/** Called by a reviver: the handle belongs to the task whose arguments are being decoded, if any. */
export function adopt(h: OwnedHandle): void {
  if (adopted !== undefined) (adopted ??= []).push(h);
}

/** Drops every handle in `owned` (a finished task's). */
export function dropOwned(owned: readonly OwnedHandle[] | undefined): void {
  if (owned !== undefined) for (const h of owned) h.drop();
}

/** Commits the crossings of a payload that is now complete (see {@link HandleDescriptor.send}). */
export function sendAll(handles: readonly HandleDescriptor[]): void {
  for (const h of handles) h.send?.();
}

/**
 * Drops the copies that `handles` (committed crossings of a payload nobody will decode: a
 * task that never starts) stood for, as their task would have when it finished: each is
 * rebuilt on this thread and dropped at once.
 */
export function dropInFlight(handles: readonly HandleDescriptor[]): void {
  dropOwned(decodeOwned(() => handles.map((h) => reviveHandle(h.kind, h.sab))).owned);
}

const revivers = new Map<number, (sab: SharedArrayBuffer, state: number) => object>();

/**
 * Registers how to rebuild handles of `kind` (once per class, at module load); `state` is
 * what the sender packed with {@link withState} (0 if nothing).
 */
export function registerHandleKind(kind: number, revive: (sab: SharedArrayBuffer, state: number) => object): void {
  revivers.set(kind, revive);
}

/** True for an object that crosses threads as a handle. */
export function isSharedHandle(v: object): v is SharedHandle {
  return typeof (v as Partial<SharedHandle>)[SHARED_HANDLE] === 'function';
}

/** Rebuilds a handle of `kind` over `sab` on this thread. */
export function reviveHandle(kind: number, sab: SharedArrayBuffer): object {
  const revive = revivers.get(kind & ((1 << KIND_BITS) - 1));
  if (revive === undefined)
    throw new Error(`skein: unknown shared handle kind ${kind} (corrupt payload, or mixed skein versions)`);
  return revive(sab, kind >>> KIND_BITS);
}

/**
 * True if some item of `values` is an object or a function: only those can hold a handle.
 * A list of primitives (the usual arguments of a blocking job) skips the handle walks,
 * which allocate per call.
 */
export function holdsObjects(values: readonly unknown[]): boolean {
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v !== null && (typeof v === 'object' || typeof v === 'function')) return true;
  }
  return false;
}

/**
 * True if `value` holds a handle anywhere inside. The codec asks when a value needs its v8
 * path, which can't carry handles: it then throws SerializationError instead of letting
 * the task receive `{}`.
 */
export function containsHandle(value: unknown, seen = new Set<object>()): boolean {
  if (value === null || typeof value !== 'object') return false;
  if (seen.has(value)) return false;
  seen.add(value);
  if (isSharedHandle(value)) return true;
  if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer || value instanceof SharedArrayBuffer) return false;
  if (value instanceof Map) {
    for (const [k, v] of value) if (containsHandle(k, seen) || containsHandle(v, seen)) return true;
    return false;
  }
  if (value instanceof Set) {
    for (const v of value) if (containsHandle(v, seen)) return true;
    return false;
  }
  for (const k of Object.keys(value)) if (containsHandle((value as Record<string, unknown>)[k], seen)) return true;
  return false;
}

/**
 * Drops this thread's copies of the handles inside `value` (a result passed on to another
 * thread by {@link toPostable}, which counted the copy there): each channel end closes, a
 * moved receiver does nothing. Primitives without ends (locks, semaphores) count no copies.
 */
export function dropHandlesIn(value: unknown, seen = new Set<object>()): void {
  if (value === null || typeof value !== 'object' || seen.has(value)) return;
  seen.add(value);
  if (isSharedHandle(value)) {
    (value as { close?: () => void }).close?.();
    return;
  }
  if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer || value instanceof SharedArrayBuffer) return;
  for (const x of nested(value)) dropHandlesIn(x, seen);
}

/** The key a handle travels under through postMessage (symbols don't survive structured clone). */
const POSTED = '__skeinSharedHandle__';

/**
 * `value` with every handle inside replaced by plain data postMessage can carry (its kind
 * and SharedArrayBuffer), for the blocking pool, whose jobs travel by postMessage. Counts
 * each crossing like the wire codec does, and adds each buffer to `crossed` (the pool's,
 * for its dead-thread sweep; a thread that keeps no such list passes none). Returns `value`
 * itself when it holds no handle.
 */
export function toPostable(value: unknown, crossed?: { add(sab: SharedArrayBuffer): void }): unknown {
  if (!containsHandle(value)) return value;
  const handles: HandleDescriptor[] = [];
  const out = replace(value, new Map(), handles);
  sendAll(handles);
  if (crossed !== undefined) for (const h of handles) crossed.add(h.sab);
  return out;
}

function replace(v: unknown, seen: Map<object, unknown>, handles: HandleDescriptor[]): unknown {
  if (v === null || typeof v !== 'object') return v;
  const done = seen.get(v);
  if (done !== undefined) return done;
  if (isSharedHandle(v)) {
    const d = v[SHARED_HANDLE]();
    handles.push(d);
    const out = { [POSTED]: d.kind, sab: d.sab };
    seen.set(v, out);
    return out;
  }
  if (Array.isArray(v)) {
    const out: unknown[] = [];
    seen.set(v, out);
    for (const x of v) out.push(replace(x, seen, handles));
    return out;
  }
  if (v instanceof Map) {
    const out = new Map<unknown, unknown>();
    seen.set(v, out);
    for (const [k, x] of v) out.set(replace(k, seen, handles), replace(x, seen, handles));
    return out;
  }
  if (v instanceof Set) {
    const out = new Set<unknown>();
    seen.set(v, out);
    for (const x of v) out.add(replace(x, seen, handles));
    return out;
  }
  const proto: unknown = Object.getPrototypeOf(v);
  if (proto !== Object.prototype && proto !== null) return v;
  const out: Record<string, unknown> = {};
  seen.set(v, out);
  for (const k of Object.keys(v)) out[k] = replace((v as Record<string, unknown>)[k], seen, handles);
  return out;
}

/** True if `value` (posted arguments) holds a handle made by {@link toPostable}. */
export function hasPosted(value: unknown, seen = new Set<object>()): boolean {
  if (value === null || typeof value !== 'object' || seen.has(value)) return false;
  seen.add(value);
  if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer || value instanceof SharedArrayBuffer) return false;
  if (typeof (value as Record<string, unknown>)[POSTED] === 'number') return true;
  for (const x of nested(value)) if (hasPosted(x, seen)) return true;
  return false;
}

/** The values an object holds: an array's items, a Map's keys and values, a Set's members, own properties. */
function nested(value: object): unknown[] {
  if (Array.isArray(value)) return value;
  if (value instanceof Map) return [...value.keys(), ...value.values()];
  if (value instanceof Set) return [...value];
  return Object.values(value);
}

/**
 * Undoes {@link toPostable} on the receiving thread and takes what it carried: the value
 * with its handles rebuilt, and those handles, now this thread's (see {@link decodeOwned}).
 */
export function revivePosted<T>(value: T): { value: T; owned: OwnedHandle[] | undefined } {
  return decodeOwned(() => fromPosted(value) as T);
}

/**
 * Drops the copies that the handles in `value` ({@link toPostable}'s output, for a job that
 * will never run) stood for, as the job would have when it finished. Call it once per
 * payload, on any thread whose handle classes are loaded (`revive.ts`).
 */
export function dropPosted(value: unknown): void {
  if (hasPosted(value)) dropOwned(revivePosted(value).owned);
}

/** Undoes {@link toPostable} on the receiving thread: rebuilds the handles (in place). */
export function fromPosted(value: unknown, seen = new Set<object>()): unknown {
  if (value === null || typeof value !== 'object' || seen.has(value)) return value;
  seen.add(value);
  if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer || value instanceof SharedArrayBuffer) return value;
  const posted = value as Record<string, unknown>;
  if (typeof posted[POSTED] === 'number' && posted.sab instanceof SharedArrayBuffer)
    return reviveHandle(posted[POSTED], posted.sab);
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) value[i] = fromPosted(value[i], seen);
  } else if (value instanceof Map) {
    for (const [k, v] of value) value.set(k, fromPosted(v, seen));
  } else if (!(value instanceof Set)) {
    for (const k of Object.keys(value)) posted[k] = fromPosted(posted[k], seen);
  }
  return value;
}
