/**
 * Tokio's `Send` bound for `task()` arguments, checked at run time on every flavour.
 *
 * The multi-thread flavour copies a task's arguments to another thread with structured
 * clone, so a function, a symbol or a host object (a socket, a handle) can't be one. The
 * current-thread flavour runs the task on the spawning thread and could pass anything; it
 * checks the same rule anyway (without copying), so a program that works on one flavour
 * works on the other, as Rust's `Send` bound holds whatever runtime spawns the future.
 */
import { serialize } from 'node:v8';
import { SerializationError } from '../errors/skein_error.js';

/** Prototypes of values structured clone copies whole, without looking inside. */
const LEAVES: ReadonlySet<object> = new Set<object>([
  Date.prototype,
  RegExp.prototype,
  ArrayBuffer.prototype,
  SharedArrayBuffer.prototype,
  Boolean.prototype,
  Number.prototype,
  String.prototype,
  BigInt.prototype,
]);

/** What an unsendable value is, for the error message ("a function (onData)", "a Socket"). */
function unsendable(v: unknown, seen: Set<object>): string | undefined {
  if (typeof v === 'function') return `a function${v.name === '' ? '' : ` (${v.name})`}`;
  if (typeof v === 'symbol') return 'a symbol';
  if (typeof v !== 'object' || v === null || seen.has(v)) return undefined;
  seen.add(v);
  if (ArrayBuffer.isView(v) || v instanceof Error) return undefined;
  const proto = Object.getPrototypeOf(v) as object | null;
  if (proto === Object.prototype || proto === null || Array.isArray(v)) {
    for (const key of Object.keys(v)) {
      const r = unsendable((v as Record<string, unknown>)[key], seen);
      if (r !== undefined) return r;
    }
    return undefined;
  }
  if (v instanceof Map) {
    for (const [k, x] of v) {
      const r = unsendable(k, seen) ?? unsendable(x, seen);
      if (r !== undefined) return r;
    }
    return undefined;
  }
  if (v instanceof Set) {
    for (const x of v) {
      const r = unsendable(x, seen);
      if (r !== undefined) return r;
    }
    return undefined;
  }
  if (proto !== null && LEAVES.has(proto)) return undefined;
  // A class instance: structured clone copies an ordinary one's own fields (it arrives as
  // a plain object) and refuses host objects (sockets, handles) and instances holding
  // functions. Ask V8's serializer, as postMessage would.
  try {
    serialize(v);
    return undefined;
  } catch {
    return `a ${(v as { constructor?: { name?: string } }).constructor?.name || 'host object'}`;
  }
}

/**
 * The first of `args` that can't cross threads, as "argument 2 (a Socket)"; undefined when
 * all can.
 */
export function unsendableArgument(args: readonly unknown[]): string | undefined {
  let seen: Set<object> | undefined;
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    // Numbers, strings and the like are the common case: no set, no walk.
    if (typeof a !== 'object' && typeof a !== 'function' && typeof a !== 'symbol') continue;
    const r = unsendable(a, (seen ??= new Set()));
    if (r !== undefined) return `argument ${i + 1} (${r})`;
  }
  return undefined;
}

/**
 * Throw unless every argument of task `name` could cross threads.
 *
 * Errors: SerializationError naming the argument and its type.
 */
export function assertSendableArgs(args: readonly unknown[], name: string): void {
  const bad = unsendableArgument(args);
  if (bad !== undefined) throw new SerializationError(`${bad} of task ${name}`);
}
