/**
 * The hierarchical timer wheel behind the runtime's time driver.
 *
 * This follows Tokio's `runtime/time/wheel`: 6 levels of 64 slots at 1 ms resolution,
 * where a slot of level L spans 64^L ticks, so the wheel covers 64^6 ticks (~795 days).
 * An entry lives in the lowest level whose 64^(L+1)-tick block it shares with `elapsed`,
 * i.e. the level is picked from the highest bit in which `elapsed` and the deadline
 * differ. When time reaches a slot of level L >= 1 its entries are re-inserted
 * ("cascaded") relative to the new `elapsed`, landing in finer levels, until they reach
 * level 0, where a slot holds exactly one deadline. Deadlines beyond the wheel's span are
 * clamped into the top level, which then acts as a ring: such an entry comes round every
 * 64^6 ticks and is re-inserted until its real deadline is in range. An entry cascades
 * at most 5 times (plus once per extra rotation when clamped), so insert, remove and
 * expiry are all O(1) amortised whatever the number of sleepers; a binary heap would be
 * O(log n) per operation and touch log n entries on each.
 *
 * Why intrusive lists: a runtime may park a million sleeping tasks. Making the entry
 * object itself carry its list links means insert/remove allocate nothing and unlink
 * in O(1) (cancelling a sleep is as common as it firing), and a sleeping task costs one
 * object (the Waiter *is* the entry) rather than an entry plus a list node.
 *
 * Why bitmasks: each level keeps which of its 64 slots are occupied, as two int32
 * halves (JS bit operations are 32-bit; BigInt would allocate). Finding the next
 * non-empty slot is then a rotate-and-count-trailing-zeros instead of a scan of 64
 * slots, and an empty level is skipped with a single comparison.
 *
 * Ticks are non-negative safe integers (milliseconds). Bit operations only ever read the
 * low 32 bits (which ToInt32 keeps exact for any safe integer) and the bits above come
 * from division, so a wheel started at a large tick behaves exactly like one started at
 * 0. Still, ticks counted from the runtime's start stay small integers (Smis) for years,
 * which keeps `deadline` unboxed; epoch milliseconds would box it in every entry.
 */

const LEVELS = 6;
const SLOTS = 64;
const TOP = LEVELS - 1;
const LISTS = LEVELS * SLOTS;
/** `wheelSlot` of an entry that is in no list. */
export const NOT_IN_WHEEL = -1;
const NONE = NOT_IN_WHEEL;
const TWO_32 = 4294967296;
/** 64^5: width of a top-level slot. */
const TOP_SLOT_RANGE = 1073741824;

/**
 * The fields the wheel owns on an entry. An entry carries its own list links, so the
 * wheel allocates nothing per timer; the runtime's TimerWaiter declares these fields itself
 * (on Node 24 it is a Promise, so it can't extend {@link TimerEntry}), which makes a
 * sleeping task one object.
 */
export interface WheelEntry {
  /** Integer tick (ms) at which it fires; set by {@link TimerWheel.insert}. */
  deadline: number;
  /** @internal Owned by the wheel: previous entry in the same slot list. */
  wheelPrev: WheelEntry | null;
  /** @internal Owned by the wheel: next entry in the same slot list. */
  wheelNext: WheelEntry | null;
  /** @internal Owned by the wheel: `level * 64 + slot`, or -1 when not inserted. */
  wheelSlot: number;
}

/**
 * A ready-made {@link WheelEntry} to extend. Every entry is initialised with the same fields
 * in the same order so all wheel code sees a single hidden class per subclass.
 */
export class TimerEntry implements WheelEntry {
  deadline = 0;
  wheelPrev: WheelEntry | null = null;
  wheelNext: WheelEntry | null = null;
  wheelSlot = NONE;
}

/** Slot of `when` within `level` (bits 6L..6L+5 of the tick). */
function slotFor(when: number, level: number): number {
  // Levels 0-4 read bits <= 29, which `>>>` keeps intact even above 2^32 (ToUint32 keeps
  // the low 32 bits exactly); the top level needs bits 30-35.
  if (level < TOP) return (when >>> (level * 6)) & 63;
  return Math.floor(when / TOP_SLOT_RANGE) & 63;
}

/** The level an entry due at `when` belongs in while the wheel is at `elapsed`. */
function levelFor(elapsed: number, when: number): number {
  // Differing above bit 31 always means the top level (bit 30+ is level 5 already).
  if (when >= TWO_32 && Math.floor(elapsed / TWO_32) !== Math.floor(when / TWO_32)) return TOP;
  // `| 63` folds differences in the lowest 6 bits into level 0.
  const significant = 31 - Math.clz32((elapsed ^ when) | 63);
  return (significant / 6) | 0;
}

/** Index of the lowest set bit of a non-zero int32. */
function ctz(x: number): number {
  return 31 - Math.clz32(x & -x);
}

/** First occupied slot at or after `from`, wrapping round; -1 if the level is empty. */
function nextOccupied(lo: number, hi: number, from: number): number {
  if (from < 32) {
    const rest = lo & (-1 << from);
    if (rest !== 0) return ctz(rest);
    if (hi !== 0) return 32 + ctz(hi);
    return lo !== 0 ? ctz(lo) : -1;
  }
  const rest = hi & (-1 << (from - 32));
  if (rest !== 0) return 32 + ctz(rest);
  if (lo !== 0) return ctz(lo);
  return hi !== 0 ? 32 + ctz(hi) : -1;
}

/**
 * A hierarchical timer wheel over integer ticks. Pure data structure: it never reads a
 * clock or sets a Node timer; the driver calls {@link poll} with the current tick and
 * arms its own timer for {@link nextExpiration}.
 *
 * An entry belongs to at most one wheel at a time.
 */
export class TimerWheel<E extends WheelEntry = TimerEntry> {
  #elapsed: number;
  #size = 0;
  #polling = false;
  /**
   * Heads and tails of the 384 slot lists; tails make appends O(1) and keep FIFO order.
   * Elapsed's own level-0 slot can never receive an insert (its one deadline is not in
   * the future), so it doubles as the list of entries due now and not yet fired.
   */
  readonly #head: (WheelEntry | null)[] = Array.from({ length: LISTS }, () => null);
  readonly #tail: (WheelEntry | null)[] = Array.from({ length: LISTS }, () => null);
  /** Occupied bits: word `level * 2` holds slots 0-31, `level * 2 + 1` slots 32-63. */
  readonly #occupied = new Int32Array(LEVELS * 2);
  /** Where the last {@link #findExpiration} found the next slot (saves allocating a result). */
  #nextList = 0;

  /** `startTick` (a non-negative safe integer, default 0) is the initial {@link elapsed}. */
  constructor(startTick = 0) {
    if (!Number.isSafeInteger(startTick) || startTick < 0) {
      throw new RangeError(`TimerWheel start tick must be a non-negative safe integer, got ${startTick}`);
    }
    this.#elapsed = startTick;
  }

  /**
   * The tick processed up to. While `fire` runs inside {@link poll} it equals the firing
   * entry's deadline, which is what {@link insert} compares against.
   */
  get elapsed(): number {
    return this.#elapsed;
  }

  /** Number of entries inside, including ones already due but not yet fired. */
  get size(): number {
    return this.#size;
  }

  /**
   * Insert `entry` to fire at the integer tick `deadline`. An entry already inserted is
   * moved (remove + insert), so this doubles as "reset". Returns false, leaving the entry
   * out of the wheel, when `deadline <= elapsed`: it is already due and the caller fires it.
   */
  insert(entry: E, deadline: number): boolean {
    if (!Number.isSafeInteger(deadline)) {
      throw new RangeError(`TimerWheel deadline must be a safe integer, got ${deadline}`);
    }
    if (entry.wheelSlot !== NONE) this.#unlink(entry);
    entry.deadline = deadline;
    if (deadline <= this.#elapsed) return false;
    this.#place(entry);
    this.#size++;
    return true;
  }

  /** Remove an inserted entry; a no-op if it is not in the wheel (never inserted, fired, removed). */
  remove(entry: E): void {
    if (entry.wheelSlot !== NONE) this.#unlink(entry);
  }

  /** True from a successful {@link insert} until the entry is removed or handed to `fire`. */
  isInserted(entry: E): boolean {
    return entry.wheelSlot !== NONE;
  }

  /**
   * The earliest tick at which {@link poll} may fire something, or undefined if empty.
   * Never later than the earliest deadline, but may be earlier: for an entry in level
   * L >= 1 it is the start of its slot, where the entry cascades without firing; the
   * driver simply polls then and asks again (at most once per level per entry).
   */
  nextExpiration(): number | undefined {
    if (this.#head[this.#elapsed & 63] !== null) return this.#elapsed;
    const deadline = this.#findExpiration();
    return deadline === NONE ? undefined : deadline;
  }

  /**
   * Advance to `now` (a safe integer; a tick behind `elapsed` counts as `elapsed`) and call
   * `fire(entry)` for every entry with `deadline <= now`, in non-decreasing deadline order,
   * FIFO among equal deadlines. Each entry is removed before its `fire` call, during which
   * `elapsed === entry.deadline`.
   *
   * `fire` may insert and remove entries freely. An insert with a deadline in
   * `(elapsed, now]` fires later in this same call, in its proper order; one with
   * `deadline <= elapsed` (the tick now firing) returns false per {@link insert}. Removing
   * an entry that is due at the same tick but not yet fired keeps it from firing.
   *
   * If `fire` throws, the error propagates; entries due at that tick that have not fired
   * yet stay inside and fire first on the next poll (nextExpiration() returns `elapsed`).
   * Calling poll from inside `fire` throws.
   */
  poll(now: number, fire: (entry: E) => void): void {
    if (!Number.isSafeInteger(now)) throw new RangeError(`TimerWheel poll tick must be a safe integer, got ${now}`);
    if (this.#polling) throw new Error('TimerWheel.poll() called re-entrantly from a fire callback');
    this.#polling = true;
    try {
      const head = this.#head;
      for (;;) {
        const entry = head[this.#elapsed & 63];
        if (entry !== null) {
          this.#unlink(entry);
          fire(entry as E);
          continue;
        }
        const deadline = this.#findExpiration();
        if (deadline === NONE || deadline > now) break;
        this.#process(this.#nextList, deadline);
      }
      if (now > this.#elapsed) this.#elapsed = now;
    } finally {
      this.#polling = false;
    }
  }

  /**
   * Deadline of the next slot to process (its start tick, after `elapsed`), or -1 when the
   * wheel is empty; its list index is left in `#nextList`. Lower levels always expire
   * before higher ones (their entries share a finer block with `elapsed`), so the first
   * occupied level wins.
   */
  #findExpiration(): number {
    if (this.#size === 0) return NONE;
    const occupied = this.#occupied;
    const now = this.#elapsed;
    let slotRange = 1;
    for (let level = 0; level < LEVELS; level++, slotRange *= SLOTS) {
      const lo = occupied[level * 2];
      const hi = occupied[level * 2 + 1];
      if ((lo | hi) === 0) continue;
      // Search from the slot after elapsed's: below the top level elapsed's own slot is
      // never occupied, and in the top level it can only hold clamped entries a whole
      // rotation away, so it must come last (Tokio searches from it and would pick it first).
      const from = slotFor(now, level) + 1;
      const slot = nextOccupied(lo, hi, from === SLOTS ? 0 : from);
      const levelRange = slotRange * SLOTS;
      let deadline = now - (now % levelRange) + slot * slotRange;
      // Only the top level wraps: a slot "behind" elapsed holds clamped far-future
      // entries and is due on the ring's next turn.
      if (deadline <= now) deadline += levelRange;
      this.#nextList = level * SLOTS + slot;
      return deadline;
    }
    return NONE;
  }

  /** Time has reached `deadline`, the start of slot list `list`: its entries become due or cascade. */
  #process(list: number, deadline: number): void {
    this.#elapsed = deadline;
    // A level-0 slot holds exactly one deadline: now that it is elapsed's slot, its
    // entries are the due list as they stand, so firing a tick costs no relinking.
    if (list < SLOTS) return;
    const head = this.#head;
    let entry: WheelEntry | null = head[list];
    head[list] = null;
    this.#tail[list] = null;
    this.#occupied[list >>> 5] &= ~(1 << (list & 31));
    // No user code runs in this loop, so the detached list cannot change under us. Walking
    // head to tail and appending keeps FIFO order among equal deadlines through cascades.
    // An entry due exactly at the slot start lands in elapsed's level-0 slot: the due list.
    while (entry !== null) {
      const next = entry.wheelNext;
      entry.wheelNext = null;
      this.#place(entry);
      entry = next;
    }
  }

  /** Link `entry` into the slot its deadline maps to from the current `elapsed`. */
  #place(entry: WheelEntry): void {
    const when = entry.deadline;
    const level = levelFor(this.#elapsed, when);
    const list = level * SLOTS + slotFor(when, level);
    this.#occupied[list >>> 5] |= 1 << (list & 31);
    this.#append(entry, list);
  }

  #append(entry: WheelEntry, list: number): void {
    const tail = this.#tail[list];
    entry.wheelSlot = list;
    entry.wheelPrev = tail;
    if (tail === null) this.#head[list] = entry;
    else tail.wheelNext = entry;
    this.#tail[list] = entry;
  }

  #unlink(entry: WheelEntry): void {
    const list = entry.wheelSlot;
    const prev = entry.wheelPrev;
    const next = entry.wheelNext;
    if (prev === null) this.#head[list] = next;
    else prev.wheelNext = next;
    if (next === null) this.#tail[list] = prev;
    else next.wheelPrev = prev;
    entry.wheelPrev = null;
    entry.wheelNext = null;
    entry.wheelSlot = NONE;
    this.#size--;
    if (prev === null && next === null) this.#occupied[list >>> 5] &= ~(1 << (list & 31));
  }
}

/** Ticks one wheel rotation spans (64^6); farther deadlines ride the top level round. */
export const TIMER_WHEEL_RANGE = 68719476736;
