/**
 * How a cross-thread primitive crosses threads as (part of) a task argument or result.
 *
 * Structured clone would turn a handle into `{}`: it copies own data properties and drops
 * the prototype. A handle instead describes itself as (kind, SharedArrayBuffer); the wire
 * codec writes that as one tagged value (`codec/wire.ts`, `T_HANDLE`) and the reading
 * thread rebuilds the handle over the same buffer with {@link reviveHandle}. Handle
 * classes register their kind when their module loads (`revive.ts` loads them all, and the
 * wire reader loads it), so this module imports nothing and can't take part in a cycle.
 */

/** The method a handle implements to cross threads. */
export const SHARED_HANDLE: unique symbol = Symbol.for('skein.sharedHandle') as never;

/** What a handle crosses as. */
export interface HandleDescriptor {
  /** Which class rebuilds it (see {@link HandleKind}). */
  readonly kind: number;
  /** The primitive's memory, shared (not copied) with the other thread. */
  readonly sab: SharedArrayBuffer;
}

/** An object that crosses threads as a {@link HandleDescriptor}. */
export interface SharedHandle {
  /**
   * Describe this handle for another thread. Called once per crossing, at the `spawn`
   * (or `return`) that sends it: a channel end counts the copy it is about to create here.
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
} as const;

/** A handle that its receiving task owns: closed when the task finishes (Rust's move + Drop). */
export interface OwnedHandle {
  /** Drops the task's copy; a no-op if it was closed or moved on already. */
  drop(): void;
}

let adopted: OwnedHandle[] | undefined;

/**
 * Runs `decode` (a task's arguments) and returns what it decoded with the handles it
 * rebuilt that the task now owns. The task runner drops them when the task finishes.
 */
export function decodeOwned<T>(decode: () => T): { value: T; owned: OwnedHandle[] | undefined } {
  const outer = adopted;
  adopted = [];
  try {
    const value = decode();
    return { value, owned: adopted.length === 0 ? undefined : adopted };
  } finally {
    adopted = outer;
  }
}

/** Called by a reviver: the handle belongs to the task whose arguments are being decoded, if any. */
export function adopt(h: OwnedHandle): void {
  adopted?.push(h);
}

/** Drops every handle in `owned` (a finished task's). */
export function dropOwned(owned: readonly OwnedHandle[] | undefined): void {
  if (owned !== undefined) for (const h of owned) h.drop();
}

const revivers = new Map<number, (sab: SharedArrayBuffer) => object>();

/** Registers how to rebuild handles of `kind` (once per class, at module load). */
export function registerHandleKind(kind: number, revive: (sab: SharedArrayBuffer) => object): void {
  revivers.set(kind, revive);
}

/** True for an object that crosses threads as a handle. */
export function isSharedHandle(v: object): v is SharedHandle {
  return typeof (v as Partial<SharedHandle>)[SHARED_HANDLE] === 'function';
}

/** Rebuilds a handle of `kind` over `sab` on this thread. */
export function reviveHandle(kind: number, sab: SharedArrayBuffer): object {
  const revive = revivers.get(kind);
  if (revive === undefined) throw new Error(`skein: unknown shared handle kind ${kind} (corrupt payload, or mixed skein versions)`);
  return revive(sab);
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
