/**
 * What task tracking knows of a task before its first poll: where and when it was spawned.
 *
 * Most tasks of a spawn-heavy load finish in their first poll, after which nothing can show
 * them (a dump lists live tasks; a finished body has no tracked fields). Allocating their
 * TaskRecord at spawn cost about as much as the rest of tracking put together, so a
 * task starts with a {@link SpawnStamp} shared by every task spawned at one place in one
 * poll, and gets its record only when something needs one: its first poll leaves it
 * unfinished or runs long, it parks, takes a lock, or a dump shows it.
 */
import type { StackHolder } from './call_site.js';

/** Where and when tasks were spawned: one per place in the code and poll of the spawner. */
export class SpawnStamp {
  /** The spawn site's stack (see SiteCache). */
  readonly stack: StackHolder;
  /** The code key of their body (the parent key of what they spawn in turn). */
  readonly key: unknown;
  /** When they were spawned (performance.now() ms). */
  readonly at: number;

  constructor(stack: StackHolder, key: unknown, at: number) {
    this.stack = stack;
    this.key = key;
    this.at = at;
  }
}

/** Slots in the table: tasks queued at once beyond this get their record at spawn. */
const SLOTS = 8192;
const MASK = SLOTS - 1;

/**
 * The stamps of tasks not yet polled, by task id. Ids are allocated in spawn order, so the
 * queued tasks of a thread fall in distinct slots until more than {@link SLOTS} wait at
 * once; a spawn whose slot is taken gets a record at once instead (see {@link put}). Ids,
 * not tasks, are kept, so a stamp left behind (a task never polled before shutdown) keeps
 * nothing alive but itself.
 */
export class SpawnStamps {
  readonly #stamps: (SpawnStamp | undefined)[] = new Array<SpawnStamp | undefined>(SLOTS).fill(undefined);
  readonly #ids = new Float64Array(SLOTS);

  /** Remember `stamp` for task `id`; false when its slot holds another task's. */
  put(id: number, stamp: SpawnStamp): boolean {
    const i = id & MASK;
    if (this.#stamps[i] !== undefined) return false;
    this.#stamps[i] = stamp;
    this.#ids[i] = id;
    return true;
  }

  /** The stamp of task `id`, forgotten here: its record or its first poll takes over. */
  take(id: number): SpawnStamp | undefined {
    const i = id & MASK;
    const s = this.#stamps[i];
    if (s === undefined || this.#ids[i] !== id) return undefined;
    this.#stamps[i] = undefined;
    return s;
  }
}
