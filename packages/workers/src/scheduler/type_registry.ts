/**
 * The task-type registry: type id ↔ (module URL, export name), in shared memory.
 *
 * Tasks that cross threads are data (DESIGN.md): a worker that pops a slot must turn its
 * type id into a function. Asking the spawner by message would put a round trip on the
 * first run of every type on every worker, and a stolen task may come from any thread; so
 * the names themselves live in shared memory. A thread registers a definition once (under
 * a lock, deduplicating by URL and name) and caches the id; a worker reads the strings the
 * first time it meets an id, imports the module, and caches the function per id.
 *
 * Layout: header (lock, count, string bump, capacity), then `capacity` entries of four
 * words (url offset, url length, name offset, name length), then UTF-8 string bytes.
 * An entry is written before `count` is published, so a reader that sees an id can read it.
 */
import { SkeinError } from '@skein/core';
import { lock, unlock } from '../shared/spin_lock.js';

const LOCK = 0;
const COUNT = 1;
const BUMP = 2;
const CAPACITY = 3;
const ENTRIES = 16;

/** A registered task type. */
export interface TaskType {
  readonly url: string;
  readonly name: string;
}

/** The shared type table, as seen from one thread. */
export class TypeRegistry {
  /** Bytes a table for `capacity` types with `stringBytes` of names takes. */
  static bytesFor(capacity: number, stringBytes: number): number {
    return (ENTRIES + capacity * 4) * 4 + stringBytes;
  }

  /** Allocate a table for `capacity` types with `stringBytes` of names. */
  static create(capacity: number, stringBytes: number): SharedArrayBuffer {
    const sab = new SharedArrayBuffer(TypeRegistry.bytesFor(capacity, stringBytes));
    const w = new Int32Array(sab, 0, ENTRIES);
    w[CAPACITY] = capacity;
    w[BUMP] = (ENTRIES + capacity * 4) * 4;
    return sab;
  }

  readonly #w: Int32Array;
  readonly #bytes: Buffer;
  readonly #byKey = new Map<string, number>();
  readonly #byId: (TaskType | undefined)[] = [];

  constructor(sab: SharedArrayBuffer) {
    this.#w = new Int32Array(sab);
    this.#bytes = Buffer.from(sab);
  }

  /** The id for (url, name), registering it if no thread has yet. */
  idFor(url: string, name: string): number {
    const key = `${name}\u0000${url}`;
    const cached = this.#byKey.get(key);
    if (cached !== undefined) return cached;
    const w = this.#w;
    lock(w, LOCK);
    let id = 0;
    try {
      const count = w[COUNT]!;
      for (let i = 1; i <= count && id === 0; i++) {
        const t = this.get(i);
        if (t.url === url && t.name === name) id = i;
      }
      if (id === 0) id = this.#append(count, url, name);
    } finally {
      unlock(w, LOCK);
    }
    this.#byKey.set(key, id);
    return id;
  }

  /** The type registered as `id` (it must exist: ids only travel after registration). */
  get(id: number): TaskType {
    let t = this.#byId[id];
    if (t === undefined) {
      const e = ENTRIES + (id - 1) * 4;
      const w = this.#w;
      const url = this.#bytes.toString('utf8', w[e]!, w[e]! + w[e + 1]!);
      const name = this.#bytes.toString('utf8', w[e + 2]!, w[e + 2]! + w[e + 3]!);
      t = { url, name };
      this.#byId[id] = t;
    }
    return t;
  }

  /** Types registered so far. */
  get size(): number {
    return Atomics.load(this.#w, COUNT);
  }

  #append(count: number, url: string, name: string): number {
    const w = this.#w;
    const urlLen = Buffer.byteLength(url);
    const nameLen = Buffer.byteLength(name);
    const at = w[BUMP]!;
    if (count >= w[CAPACITY]! || at + urlLen + nameLen > this.#bytes.length) {
      throw new SkeinError(
        'ERR_SKEIN_TOO_MANY_TASK_TYPES',
        `the runtime's task-type table is full (${w[CAPACITY]} types): define fewer distinct task() functions, ` +
          'or raise SKEIN_TASK_TYPES when building the runtime',
      );
    }
    this.#bytes.write(url, at, 'utf8');
    this.#bytes.write(name, at + urlLen, 'utf8');
    const e = ENTRIES + count * 4;
    w[e] = at;
    w[e + 1] = urlLen;
    w[e + 2] = at + urlLen;
    w[e + 3] = nameLen;
    w[BUMP] = at + urlLen + nameLen;
    Atomics.store(w, COUNT, count + 1);
    return count + 1;
  }
}
