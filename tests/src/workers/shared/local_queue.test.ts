import { describe, expect, test } from 'vitest';
import { InjectFullError } from '../../../../packages/workers/src/shared/errors.js';
import { InjectQueue } from '../../../../packages/workers/src/shared/inject_queue.js';
import { LOCAL_QUEUE_CAPACITY, LocalQueue } from '../../../../packages/workers/src/shared/local_queue.js';

const popAll = (q: LocalQueue): number[] => {
  const out: number[] = [];
  for (let id = q.pop(); id !== 0; id = q.pop()) out.push(id);
  return out;
};
const injectAll = (q: InjectQueue): number[] => {
  const out: number[] = [];
  for (let id = q.pop(); id !== 0; id = q.pop()) out.push(id);
  return out;
};
const range = (from: number, to: number): number[] => Array.from({ length: to - from + 1 }, (_, i) => from + i);

describe('LocalQueue', () => {
  test('starts empty', () => {
    const q = LocalQueue.create();
    expect(q.pop()).toBe(0);
    expect(q.len()).toBe(0);
    expect(q.isEmpty()).toBe(true);
    expect(q.remainingSlots()).toBe(LOCAL_QUEUE_CAPACITY);
    expect(LocalQueue.bytesFor()).toBe(64 + 4 * 256);
  });

  test('pops in FIFO order (no LIFO behaviour in the ring)', () => {
    const q = LocalQueue.create();
    const inject = InjectQueue.create(1024);
    for (let i = 1; i <= 100; i++) q.pushBackOrOverflow(i, inject);
    expect(q.len()).toBe(100);
    expect(q.remainingSlots()).toBe(156);
    expect(popAll(q)).toEqual(range(1, 100));
    expect(inject.len()).toBe(0);
  });

  test('holds 256 ids; the 257th moves the oldest half plus itself to the inject queue', () => {
    const q = LocalQueue.create();
    const inject = InjectQueue.create(1024);
    for (let i = 1; i <= 256; i++) q.pushBackOrOverflow(i, inject);
    expect(inject.len()).toBe(0);
    expect(q.remainingSlots()).toBe(0);
    q.pushBackOrOverflow(257, inject);
    expect(q.overflowCount()).toBe(1);
    expect(injectAll(inject)).toEqual([...range(1, 128), 257]);
    expect(popAll(q)).toEqual(range(129, 256));
  });

  test('stealInto takes half (rounded up), returns the last stolen id and keeps order', () => {
    const src = LocalQueue.create();
    const dst = LocalQueue.create();
    const inject = InjectQueue.create(1024);
    for (let i = 1; i <= 10; i++) src.pushBackOrOverflow(i, inject);
    expect(src.stealInto(dst)).toBe(5);
    expect(popAll(dst)).toEqual([1, 2, 3, 4]);
    expect(popAll(src)).toEqual(range(6, 10));
    expect(dst.stealCount()).toBe(5);
    expect(dst.stealOperations()).toBe(1);
  });

  test('a single queued id can be stolen; an empty queue yields 0', () => {
    const src = LocalQueue.create();
    const dst = LocalQueue.create();
    const inject = InjectQueue.create(16);
    expect(src.stealInto(dst)).toBe(0);
    src.pushBackOrOverflow(42, inject);
    expect(src.stealInto(dst)).toBe(42);
    expect(dst.len()).toBe(0);
    expect(src.len()).toBe(0);
  });

  test('a full queue loses 128 ids to a thief', () => {
    const src = LocalQueue.create();
    const dst = LocalQueue.create();
    const inject = InjectQueue.create(16);
    for (let i = 1; i <= 256; i++) src.pushBackOrOverflow(i, inject);
    expect(src.stealInto(dst)).toBe(128);
    expect(dst.len()).toBe(127);
    expect(src.len()).toBe(128);
    expect(popAll(src)).toEqual(range(129, 256));
  });

  test('refuses to steal into a destination more than half full', () => {
    const src = LocalQueue.create();
    const dst = LocalQueue.create();
    const inject = InjectQueue.create(16);
    for (let i = 1; i <= 10; i++) src.pushBackOrOverflow(i, inject);
    for (let i = 100; i < 100 + 129; i++) dst.pushBackOrOverflow(i, inject);
    expect(src.stealInto(dst)).toBe(0);
    expect(src.len()).toBe(10);
    dst.pop();
    expect(src.stealInto(dst)).toBe(5);
  });

  test('cannot steal from itself', () => {
    const q = LocalQueue.create();
    expect(() => q.stealInto(q)).toThrow(/itself/);
    expect(() => q.stealInto(new LocalQueue(q.sab, 0))).toThrow(/itself/);
  });

  test('pushBackBatch appends in order and rejects what does not fit', () => {
    const q = LocalQueue.create();
    q.pushBackBatch(Int32Array.from(range(1, 200)), 10, 100);
    expect(q.len()).toBe(100);
    expect(() => q.pushBackBatch(new Int32Array(200), 0, 157)).toThrow(RangeError);
    expect(popAll(q)).toEqual(range(11, 110));
  });

  test('an overflow into a full inject queue hands the claimed ids back in InjectFullError.pending', () => {
    const q = LocalQueue.create();
    const inject = InjectQueue.create(128); // can never take 129 at once
    for (let i = 1; i <= 256; i++) q.pushBackOrOverflow(i, inject);
    let err: unknown;
    try {
      q.pushBackOrOverflow(257, inject);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(InjectFullError);
    const full = err as InjectFullError;
    expect(full.code).toBe('ERR_SKEIN_INJECT_FULL');
    expect(Array.from(full.pending!)).toEqual([...range(1, 128), 257]);
    expect(popAll(q)).toEqual(range(129, 256));
    expect(inject.len()).toBe(0);
  });

  test('while a steal is in progress, a full owner spills only the new id and pops keep working', () => {
    const q = LocalQueue.create();
    const inject = InjectQueue.create(1024);
    for (let i = 1; i <= 256; i++) q.pushBackOrOverflow(i, inject);
    // Fake a thief that claimed slots [0, 10) and has not finished copying: steal=0, real=10.
    const head = new Int32Array(q.sab, q.byteOffset, 1);
    head[0] = (0 << 16) | 10;
    expect(q.len()).toBe(246);
    expect(q.remainingSlots()).toBe(0); // slots under the thief's copy are not reusable yet
    q.pushBackOrOverflow(999, inject);
    expect(injectAll(inject)).toEqual([999]);
    expect(q.overflowCount()).toBe(0);
    expect(q.pop()).toBe(11);
    expect(head[0]).toBe((0 << 16) | 11); // the owner moves only `real`
    // A second thief backs off while the first is still copying.
    expect(q.stealInto(LocalQueue.create())).toBe(0);
  });

  test('16-bit indices wrap: a random op sequence over >65536 positions matches a model', () => {
    const inject = InjectQueue.create(1 << 20);
    const q = LocalQueue.create();
    const thief = LocalQueue.create();
    const model: number[] = [];
    const injectModel: number[] = [];
    let next = 1;
    let seed = 12345;
    const rand = (): number => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed >>> 8;
    };
    let steals = 0;
    let overflows = 0;
    const fail = (op: number, what: string): never => {
      throw new Error(`op ${op}: ${what}`);
    };
    for (let op = 0; op < 400_000; op++) {
      // Alternate fill phases (the ring fills up and overflows) with drain phases.
      const filling = ((op / 3000) | 0) % 2 === 0;
      const r = rand() % 1000;
      if (r < (filling ? 850 : 300)) {
        const id = next++;
        if (model.length === LOCAL_QUEUE_CAPACITY) {
          injectModel.push(...model.splice(0, 128), id);
          overflows++;
        } else model.push(id);
        q.pushBackOrOverflow(id, inject);
      } else if (r < (filling ? 998 : 900)) {
        const want = model.shift() ?? 0;
        const got = q.pop();
        if (got !== want) fail(op, `pop ${got}, model ${want}`);
      } else {
        const stolen = model.splice(0, Math.min(128, Math.ceil(model.length / 2)));
        const got = q.stealInto(thief);
        const want = stolen.length === 0 ? 0 : stolen[stolen.length - 1];
        if (got !== want) fail(op, `steal returned ${got}, model ${want}`);
        const rest = popAll(thief);
        if (rest.join() !== stolen.slice(0, -1).join()) fail(op, 'stolen ids differ from the model');
        if (got !== 0) steals++;
      }
      if (q.len() !== model.length) fail(op, `len ${q.len()}, model ${model.length}`);
    }
    expect(next).toBeGreaterThan(3 * 65536); // indices wrapped several times
    expect(steals).toBeGreaterThan(1000);
    expect(overflows).toBeGreaterThan(100);
    expect(q.overflowCount()).toBe(overflows);
    expect(popAll(q)).toEqual(model);
    expect(injectAll(inject)).toEqual(injectModel);
  });

  test('any one thread may adopt the queue of a dead owner and pop it empty', () => {
    const q = LocalQueue.create();
    const inject = InjectQueue.create(16);
    for (let i = 1; i <= 5; i++) q.pushBackOrOverflow(i, inject);
    const adopted = new LocalQueue(q.sab, q.byteOffset);
    expect(popAll(adopted)).toEqual([1, 2, 3, 4, 5]);
  });

  test('rejects a misaligned or out-of-bounds region', () => {
    const sab = new SharedArrayBuffer(LocalQueue.bytesFor() + 8);
    expect(() => new LocalQueue(sab, 2)).toThrow(RangeError);
    expect(() => new LocalQueue(sab, 12)).toThrow(RangeError);
    expect(() => new LocalQueue(sab, 8)).not.toThrow();
  });
});
