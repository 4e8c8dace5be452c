import { describe, it, expect } from 'vitest';
import { TimerEntry, TimerWheel, TIMER_WHEEL_RANGE } from '../../../../packages/core/src/time/wheel.js';
import { rng } from '../../support/rng.js';

class TestEntry extends TimerEntry {
  readonly id: number;
  // Reference-model bookkeeping, kept apart from the wheel's own fields.
  mDeadline = 0;
  mSeq = 0;
  inModel = false;
  constructor(id: number) {
    super();
    this.id = id;
  }
}

function invariant(cond: boolean, msg: () => string): asserts cond {
  if (!cond) throw new Error(msg());
}

interface Fired {
  id: number;
  deadline: number;
  elapsed: number;
}

function collect(wheel: TimerWheel<TestEntry>, now: number): Fired[] {
  const out: Fired[] = [];
  wheel.poll(now, (e) => out.push({ id: e.id, deadline: e.deadline, elapsed: wheel.elapsed }));
  return out;
}

const L1 = 64;
const L2 = 64 ** 2;
const L3 = 64 ** 3;
const L4 = 64 ** 4;
const L5 = 64 ** 5;
const L6 = 64 ** 6;
const DEADLINES = [
  1,
  2,
  63,
  64,
  65,
  127,
  128,
  4095,
  4096,
  4097,
  262143,
  262144,
  262145,
  L4 - 1,
  L4,
  L4 + 1,
  L5 + 7,
  L6 - 1,
  L6,
  L6 + 1,
  L6 + L5 + 3,
  3 * L6 + 17,
];
const STARTS = [0, 1000, 2 ** 31 - 3, 2 ** 32 - 10, L6 - 5, 2 ** 40 + 5];

describe('TimerWheel: exact firing', () => {
  it('exposes the wheel span', () => {
    expect(TIMER_WHEEL_RANGE).toBe(L6);
  });

  for (const start of STARTS) {
    it(`fires exactly at the deadline across all levels (start ${start})`, () => {
      for (const d of DEADLINES) {
        const wheel = new TimerWheel<TestEntry>(start);
        const e = new TestEntry(d);
        expect(wheel.insert(e, start + d)).toBe(true);
        expect(wheel.size).toBe(1);
        expect(collect(wheel, start + d - 1)).toEqual([]);
        expect(wheel.isInserted(e)).toBe(true);
        expect(wheel.elapsed).toBe(start + d - 1);
        expect(collect(wheel, start + d)).toEqual([{ id: d, deadline: start + d, elapsed: start + d }]);
        expect(wheel.isInserted(e)).toBe(false);
        expect(wheel.size).toBe(0);
        expect(wheel.nextExpiration()).toBeUndefined();
      }
    });

    it(`polling at nextExpiration() reaches each deadline exactly (start ${start})`, () => {
      for (const d of DEADLINES) {
        const wheel = new TimerWheel<TestEntry>(start);
        wheel.insert(new TestEntry(d), start + d);
        const fired: Fired[] = [];
        let polls = 0;
        for (let next = wheel.nextExpiration(); next !== undefined; next = wheel.nextExpiration()) {
          invariant(polls < 100, () => `no progress towards ${start + d}`);
          expect(next).toBeGreaterThan(wheel.elapsed);
          expect(next).toBeLessThanOrEqual(start + d);
          fired.push(...collect(wheel, next));
          polls++;
        }
        expect(fired).toEqual([{ id: d, deadline: start + d, elapsed: start + d }]);
        // One poll per level cascaded through, plus one per extra top-level rotation.
        expect(polls).toBeLessThanOrEqual(6 + Math.floor(d / L6));
      }
    });

    it(`fires exactly at the deadline when stepping 1..5000 ticks at a time (start ${start})`, () => {
      const rand = rng(start + 1);
      const wheel = new TimerWheel<TestEntry>(start);
      const deadlines = [1, 63, 64, 65, 4095, 4096, 4097, 9000, 262144, 300001];
      for (const [i, d] of deadlines.entries()) wheel.insert(new TestEntry(i), start + d);
      const fired: Fired[] = [];
      let now = start;
      while (wheel.size > 0) {
        invariant(now < start + 400_000, () => `entries left at ${now}`);
        now += 1 + Math.floor(rand() * 5000);
        fired.push(...collect(wheel, now));
      }
      for (const f of fired) expect(f.elapsed).toBe(f.deadline);
      expect(fired.map((f) => f.deadline - start)).toEqual(deadlines);
    });
  }

  it('insert with deadline <= elapsed returns false and does not insert', () => {
    const wheel = new TimerWheel<TestEntry>(100);
    const e = new TestEntry(1);
    expect(wheel.insert(e, 100)).toBe(false);
    expect(wheel.insert(e, 50)).toBe(false);
    expect(wheel.isInserted(e)).toBe(false);
    expect(wheel.size).toBe(0);
    expect(wheel.nextExpiration()).toBeUndefined();
    expect(wheel.insert(e, 101)).toBe(true);
    expect(wheel.nextExpiration()).toBe(101);
    // Re-inserting an inserted entry at an expired tick takes it out.
    expect(wheel.insert(e, 100)).toBe(false);
    expect(wheel.isInserted(e)).toBe(false);
    expect(wheel.size).toBe(0);
  });

  it('rejects invalid ticks', () => {
    const wheel = new TimerWheel<TestEntry>();
    expect(() => wheel.insert(new TestEntry(1), 1.5)).toThrow(RangeError);
    expect(() => wheel.insert(new TestEntry(1), Infinity)).toThrow(RangeError);
    expect(() => wheel.insert(new TestEntry(1), Number.NaN)).toThrow(RangeError);
    expect(() => wheel.poll(2.5, () => {})).toThrow(RangeError);
    expect(() => new TimerWheel(-1)).toThrow(RangeError);
    expect(wheel.size).toBe(0);
  });

  it('poll advances elapsed even when nothing fires, and never goes backwards', () => {
    const wheel = new TimerWheel<TestEntry>(10);
    wheel.insert(new TestEntry(1), 5000);
    expect(collect(wheel, 4000)).toEqual([]);
    expect(wheel.elapsed).toBe(4000);
    expect(collect(wheel, 3000)).toEqual([]);
    expect(wheel.elapsed).toBe(4000);
    expect(collect(wheel, 6000)).toEqual([{ id: 1, deadline: 5000, elapsed: 5000 }]);
    expect(wheel.elapsed).toBe(6000);
  });
});

describe('TimerWheel: ordering', () => {
  it('fires in global deadline order across levels, FIFO within a tick', () => {
    const rand = rng(7);
    const wheel = new TimerWheel<TestEntry>();
    const entries: { id: number; deadline: number }[] = [];
    for (let i = 0; i < 5000; i++) {
      const base = DEADLINES[Math.floor(rand() * DEADLINES.length)]!;
      const deadline = rand() < 0.5 ? base : base + Math.floor(rand() * 100);
      entries.push({ id: i, deadline });
      wheel.insert(new TestEntry(i), deadline);
    }
    const fired = collect(wheel, 4 * L6);
    const expected = [...entries].sort((a, b) => a.deadline - b.deadline || a.id - b.id);
    expect(fired.map((f) => f.id)).toEqual(expected.map((e) => e.id));
    for (const f of fired) expect(f.elapsed).toBe(f.deadline);
  });

  it('keeps FIFO for equal deadlines inserted at different levels and times', () => {
    const wheel = new TimerWheel<TestEntry>();
    const deadline = L5 + L4 + 3 * L3 + 5 * L2 + 7 * L1 + 9;
    const steps = [0, L5, L5 + L4, deadline - L3, deadline - L2, deadline - 70, deadline - 20, deadline - 1];
    let id = 0;
    for (const now of steps) {
      collect(wheel, now);
      wheel.insert(new TestEntry(id++), deadline);
      wheel.insert(new TestEntry(1000 + id), deadline + 1);
      wheel.insert(new TestEntry(id++), deadline);
    }
    const fired = collect(wheel, deadline + 1);
    expect(fired.slice(0, id).map((f) => f.id)).toEqual([...Array(id).keys()]);
    expect(fired.slice(id).every((f) => f.deadline === deadline + 1)).toBe(true);
    expect(fired.slice(id).map((f) => f.id)).toEqual([...fired.slice(id).map((f) => f.id)].sort((a, b) => a - b));
  });

  it('keeps FIFO for equal far-future deadlines clamped into the top level', () => {
    const wheel = new TimerWheel<TestEntry>();
    const deadline = 2 * L6 + 12345;
    const fired: number[] = [];
    for (let i = 0; i < 10; i++) {
      wheel.insert(new TestEntry(i), deadline);
      wheel.poll(Math.floor((deadline * (i + 1)) / 11), (e) => fired.push(e.id));
    }
    wheel.poll(deadline, (e) => fired.push(e.id));
    expect(fired).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });
});

describe('TimerWheel: remove', () => {
  it('removes from any level; removing twice or a never-inserted entry is harmless', () => {
    const wheel = new TimerWheel<TestEntry>();
    const entries = DEADLINES.map((_d, i) => new TestEntry(i));
    for (const [i, e] of entries.entries()) wheel.insert(e, DEADLINES[i]!);
    expect(wheel.size).toBe(entries.length);
    const removed = new Set<number>();
    entries.forEach((e, i) => {
      if (i % 2 === 0) {
        wheel.remove(e);
        wheel.remove(e);
        removed.add(i);
        expect(wheel.isInserted(e)).toBe(false);
      }
    });
    wheel.remove(new TestEntry(-1));
    expect(wheel.size).toBe(entries.length - removed.size);
    const fired = collect(wheel, 4 * L6);
    expect(fired.map((f) => f.id)).toEqual(entries.map((e) => e.id).filter((i) => !removed.has(i)));
    expect(wheel.size).toBe(0);
  });

  it('removes after cascades and keeps the rest of the slot intact', () => {
    const wheel = new TimerWheel<TestEntry>();
    const deadline = 300_001;
    const es = [0, 1, 2, 3, 4].map((i) => new TestEntry(i));
    for (const e of es) wheel.insert(e, deadline);
    // Cascade level 3 -> 2 -> 1 -> 0 without firing.
    for (const now of [262_144, 299_008, 299_968, deadline - 1]) {
      expect(collect(wheel, now)).toEqual([]);
      if (now === 299_008) wheel.remove(es[0]!);
    }
    wheel.remove(es[2]!);
    wheel.remove(es[4]!);
    wheel.remove(es[4]!);
    expect(wheel.size).toBe(2);
    expect(collect(wheel, deadline).map((f) => f.id)).toEqual([1, 3]);
  });

  it('removing the last entry of a slot clears it from nextExpiration', () => {
    const wheel = new TimerWheel<TestEntry>();
    const a = new TestEntry(1);
    const b = new TestEntry(2);
    wheel.insert(a, 10);
    wheel.insert(b, 5000);
    expect(wheel.nextExpiration()).toBe(10);
    wheel.remove(a);
    expect(wheel.nextExpiration()).toBe(4096);
    wheel.remove(b);
    expect(wheel.nextExpiration()).toBeUndefined();
  });

  it('re-inserting an inserted entry moves it', () => {
    const wheel = new TimerWheel<TestEntry>();
    const a = new TestEntry(1);
    const b = new TestEntry(2);
    wheel.insert(a, 100_000);
    wheel.insert(b, 50);
    wheel.insert(a, 20);
    expect(wheel.size).toBe(2);
    expect(collect(wheel, 200_000)).toEqual([
      { id: 1, deadline: 20, elapsed: 20 },
      { id: 2, deadline: 50, elapsed: 50 },
    ]);
  });
});

describe('TimerWheel: fire callbacks', () => {
  it('removes the entry before fire and lets fire insert entries that fire in the same poll', () => {
    const wheel = new TimerWheel<TestEntry>();
    const a = new TestEntry(1);
    const x = new TestEntry(2);
    const y = new TestEntry(3);
    const z = new TestEntry(4);
    const late = new TestEntry(5);
    wheel.insert(a, 10);
    const log: string[] = [];
    wheel.poll(5000, (e) => {
      log.push(`${e.id}@${wheel.elapsed}`);
      expect(wheel.isInserted(e)).toBe(false);
      if (e === a && e.deadline === 10) {
        expect(wheel.insert(x, 4500)).toBe(true); // higher level, still due in this poll
        expect(wheel.insert(y, 10)).toBe(false); // the tick now firing: caller's job
        expect(wheel.insert(z, 11)).toBe(true);
        expect(wheel.insert(late, 5001)).toBe(true);
        expect(wheel.insert(a, 12)).toBe(true); // periodic re-arm of itself
      }
    });
    expect(log).toEqual(['1@10', '4@11', '1@12', '2@4500']);
    expect(wheel.size).toBe(1);
    expect(wheel.isInserted(late)).toBe(true);
    expect(wheel.elapsed).toBe(5000);
  });

  it('fire may remove a not-yet-fired entry due at the same tick', () => {
    const wheel = new TimerWheel<TestEntry>();
    const es = [0, 1, 2, 3].map((i) => new TestEntry(i));
    for (const e of es) wheel.insert(e, 70_000);
    const fired: number[] = [];
    wheel.poll(70_000, (e) => {
      fired.push(e.id);
      if (e.id === 0) {
        expect(wheel.isInserted(es[2]!)).toBe(true);
        wheel.remove(es[2]!);
        expect(wheel.size).toBe(2);
      }
    });
    expect(fired).toEqual([0, 1, 3]);
  });

  it('a throwing fire leaves the remaining due entries to the next poll', () => {
    const wheel = new TimerWheel<TestEntry>();
    for (let i = 0; i < 3; i++) wheel.insert(new TestEntry(i), 100);
    wheel.insert(new TestEntry(3), 200);
    const fired: number[] = [];
    expect(() =>
      wheel.poll(300, (e) => {
        fired.push(e.id);
        if (e.id === 0) throw new Error('boom');
      }),
    ).toThrow('boom');
    expect(wheel.size).toBe(3);
    expect(wheel.nextExpiration()).toBe(wheel.elapsed);
    wheel.poll(300, (e) => fired.push(e.id));
    expect(fired).toEqual([0, 1, 2, 3]);
    expect(wheel.elapsed).toBe(300);
  });

  it('rejects re-entrant poll', () => {
    const wheel = new TimerWheel<TestEntry>();
    wheel.insert(new TestEntry(0), 5);
    let err: unknown;
    wheel.poll(10, () => {
      try {
        wheel.poll(10, () => {});
      } catch (e) {
        err = e;
      }
    });
    expect(err).toBeInstanceOf(Error);
    // The wheel is usable afterwards.
    wheel.insert(new TestEntry(1), 20);
    expect(collect(wheel, 20).map((f) => f.id)).toEqual([1]);
  });
});

/**
 * The reference: a sorted array by (deadline, insertion seq); poll fires the minimum due
 * entry one at a time with elapsed at its deadline, exactly what the wheel promises.
 */
class Model {
  elapsed: number;
  readonly list: TestEntry[] = [];
  #seq = 0;
  constructor(start: number) {
    this.elapsed = start;
  }
  #find(e: TestEntry): number {
    let lo = 0;
    let hi = this.list.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const m = this.list[mid]!;
      if (m.mDeadline < e.mDeadline || (m.mDeadline === e.mDeadline && m.mSeq < e.mSeq)) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
  insert(e: TestEntry, deadline: number): boolean {
    this.remove(e);
    if (deadline <= this.elapsed) return false;
    e.mDeadline = deadline;
    e.mSeq = ++this.#seq;
    this.list.splice(this.#find(e), 0, e);
    e.inModel = true;
    return true;
  }
  remove(e: TestEntry): void {
    if (!e.inModel) return;
    const i = this.#find(e);
    invariant(this.list[i] === e, () => 'model corrupt');
    this.list.splice(i, 1);
    e.inModel = false;
  }
  popDue(now: number): TestEntry | undefined {
    const first = this.list[0];
    if (first === undefined || first.mDeadline > now) return undefined;
    this.list.shift();
    first.inModel = false;
    this.elapsed = first.mDeadline;
    return first;
  }
}

describe('TimerWheel: randomized against a sorted-array model', () => {
  const cases = [
    { seed: 1, start: 0 },
    { seed: 2, start: 2 ** 32 - 3000 },
    { seed: 3, start: 2 ** 45 + 12345 },
  ];
  for (const { seed, start } of cases) {
    it(`matches the model over 200k operations (seed ${seed}, start ${start})`, () => {
      const rand = rng(seed);
      const int = (n: number): number => Math.floor(rand() * n);
      const wheel = new TimerWheel<TestEntry>(start);
      const model = new Model(start);
      const pool = Array.from({ length: 3000 }, (_, i) => new TestEntry(i));
      const recent: number[] = [];
      const RANGES = [64, L2, L3, L4, L5, L6, 3 * L6];
      const STEP_RANGES = [8, 64, L2, L3, L4, L5, 2 * L6];

      const pickDeadline = (): number => {
        const r = rand();
        const now = model.elapsed;
        if (r < 0.03) return now - int(3); // already expired
        if (r < 0.15 && recent.length > 0) return recent[int(recent.length)]!; // collide with others
        let d = now + 1 + int(RANGES[Math.min(int(9), RANGES.length - 1)]!);
        if (r < 0.25) {
          // Land exactly on a slot boundary of some level: a cascade point.
          const unit = 64 ** (1 + int(6));
          d = Math.ceil(d / unit) * unit + (rand() < 0.5 ? 0 : 1);
        }
        if (recent.length < 64) recent.push(d);
        else recent[int(64)] = d;
        return d;
      };
      const doInsert = (): void => {
        const e = pool[int(pool.length)]!;
        const d = pickDeadline();
        const expected = model.insert(e, d);
        invariant(wheel.insert(e, d) === expected, () => `insert(${e.id}, ${d}) at ${model.elapsed} != ${expected}`);
      };
      const doRemove = (): void => {
        const e = pool[int(pool.length)]!;
        model.remove(e);
        wheel.remove(e);
      };
      const check = (): void => {
        invariant(wheel.size === model.list.length, () => `size ${wheel.size} != ${model.list.length}`);
        invariant(wheel.elapsed === model.elapsed, () => `elapsed ${wheel.elapsed} != ${model.elapsed}`);
        const next = wheel.nextExpiration();
        const first = model.list[0];
        if (first === undefined) invariant(next === undefined, () => `nextExpiration ${next} on empty`);
        else {
          invariant(
            next !== undefined && next > wheel.elapsed && next <= first.mDeadline,
            () => `nextExpiration ${next}, elapsed ${wheel.elapsed}, earliest ${first.mDeadline}`,
          );
        }
      };

      let fires = 0;
      for (let op = 0; op < 200_000; op++) {
        const r = rand();
        if (r < 0.45) doInsert();
        else if (r < 0.6) doRemove();
        else {
          let now: number;
          if (r < 0.7) now = wheel.nextExpiration() ?? model.elapsed + 1;
          else now = model.elapsed + int(STEP_RANGES[Math.min(int(10), STEP_RANGES.length - 1)]!);
          const reentrant = rand() < 0.3;
          wheel.poll(now, (e) => {
            const m = model.popDue(now);
            invariant(m === e, () => `fired ${e.id}@${e.deadline}, model expects ${m?.id}@${m?.mDeadline}`);
            invariant(
              wheel.elapsed === e.deadline && e.deadline === e.mDeadline,
              () => `fired ${e.id} deadline ${e.deadline} at elapsed ${wheel.elapsed}`,
            );
            fires++;
            if (reentrant) {
              const k = rand();
              if (k < 0.3) doInsert();
              else if (k < 0.45) doRemove();
            }
          });
          invariant(model.popDue(now) === undefined, () => `model still has due entries at ${now}`);
          model.elapsed = Math.max(model.elapsed, now);
        }
        check();
      }
      expect(fires).toBeGreaterThan(20_000);
    });
  }
});

describe('TimerWheel: nextExpiration-driven polling', () => {
  it('fires every entry exactly at its deadline, in order', () => {
    const rand = rng(99);
    const wheel = new TimerWheel<TestEntry>(123);
    const expected: { id: number; deadline: number }[] = [];
    for (let i = 0; i < 20_000; i++) {
      const span = [64, L2, L3, L4, L5, L6, 4 * L6][Math.floor(rand() * 7)]!;
      const deadline = 124 + Math.floor(rand() * span);
      wheel.insert(new TestEntry(i), deadline);
      expected.push({ id: i, deadline });
    }
    expected.sort((a, b) => a.deadline - b.deadline || a.id - b.id);
    const fired: number[] = [];
    let polls = 0;
    for (let next = wheel.nextExpiration(); next !== undefined; next = wheel.nextExpiration()) {
      invariant(polls < 20_000 * 6, () => 'no progress');
      const earliest = expected[fired.length]!.deadline;
      invariant(next > wheel.elapsed && next <= earliest, () => `next ${next} earliest ${earliest}`);
      wheel.poll(next, (e) => {
        invariant(e.deadline === next && wheel.elapsed === next, () => `fired ${e.deadline} polling ${next}`);
        fired.push(e.id);
      });
      polls++;
    }
    expect(fired).toEqual(expected.map((e) => e.id));
    expect(polls).toBeLessThan(20_000 * 6);
  });
});

describe('TimerWheel: scale', () => {
  it('holds 1,000,000 entries and fires them all in deadline order', () => {
    const N = 1_000_000;
    const rand = rng(42);
    const heapBefore = process.memoryUsage().heapUsed;
    const entries = new Array<TestEntry>(N);
    for (let i = 0; i < N; i++) entries[i] = new TestEntry(i);
    const wheel = new TimerWheel<TestEntry>();
    const t0 = performance.now();
    for (let i = 0; i < N; i++) {
      // Mostly within 10 minutes (levels 0-3), some up to a day and beyond the wheel.
      const r = rand();
      const span = r < 0.9 ? 600_000 : r < 0.99 ? 86_400_000 : 3 * L6;
      wheel.insert(entries[i]!, 1 + Math.floor(rand() * span));
    }
    const t1 = performance.now();
    const heapPerEntry = (process.memoryUsage().heapUsed - heapBefore) / N;
    expect(wheel.size).toBe(N);
    let count = 0;
    let lastDeadline = 0;
    let lastId = -1;
    let ordered = true;
    wheel.poll(4 * L6, (e) => {
      if (e.deadline < lastDeadline || (e.deadline === lastDeadline && e.id < lastId)) ordered = false;
      lastDeadline = e.deadline;
      lastId = e.id;
      count++;
    });
    const t2 = performance.now();
    expect(ordered).toBe(true);
    expect(count).toBe(N);
    expect(wheel.size).toBe(0);
    // Generous: an entry is ~40 bytes; this only catches a per-entry allocation blow-up.
    expect(heapPerEntry).toBeLessThan(200);
    console.log(
      `wheel 1M: insert ${(t1 - t0).toFixed(0)} ms, poll ${(t2 - t1).toFixed(0)} ms, ~${heapPerEntry.toFixed(0)} B/entry (incl. entry)`,
    );
  });
});
