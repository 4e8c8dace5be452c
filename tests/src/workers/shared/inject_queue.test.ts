import { describe, expect, test } from 'vitest';
import { SkeinError } from '@skein/core';
import { InjectFullError } from '../../../../packages/workers/src/shared/errors.js';
import { InjectQueue } from '../../../../packages/workers/src/shared/inject_queue.js';

const drain = (q: InjectQueue): number[] => {
  const out: number[] = [];
  for (let id = q.pop(); id !== 0; id = q.pop()) out.push(id);
  return out;
};

describe('InjectQueue', () => {
  test('validates its capacity', () => {
    for (const bad of [0, 1, 3, 100, 2 ** 29, 1.5]) {
      expect(() => InjectQueue.create(bad)).toThrow(
        expect.objectContaining({ name: 'RangeError', code: 'ERR_OUT_OF_RANGE' }),
      );
    }
    expect(InjectQueue.bytesFor(1024)).toBe(64 + 4096);
    expect(() => new InjectQueue(new SharedArrayBuffer(4096), 0)).toThrow(/initialized/);
  });

  test('push / pop in FIFO order, with len and isEmpty', () => {
    const q = InjectQueue.create(8);
    expect(q.pop()).toBe(0);
    expect(q.isEmpty()).toBe(true);
    q.push(1);
    q.push(2);
    expect(q.tryPush(3)).toBe(true);
    expect(q.len()).toBe(3);
    expect(drain(q)).toEqual([1, 2, 3]);
    expect(q.isEmpty()).toBe(true);
  });

  test('rejects ids that are not positive int32', () => {
    const q = InjectQueue.create(8);
    for (const bad of [0, -1, 1.5, 2 ** 31]) expect(() => q.push(bad)).toThrow(RangeError);
  });

  test('pushBatch / popBatch keep order across the ring wrap', () => {
    const q = InjectQueue.create(8);
    const out = new Int32Array(10);
    let next = 1;
    let expected = 1;
    for (let round = 0; round < 1000; round++) {
      const k = 1 + (round % 5);
      q.pushBatch(Int32Array.from({ length: k }, () => next++));
      const got = q.popBatch(out, 1 + (round % 4), 2);
      for (let i = 0; i < got; i++) expect(out[2 + i]).toBe(expected++);
      while (q.len() > 3) expect(q.pop()).toBe(expected++);
    }
    for (const id of drain(q)) expect(id).toBe(expected++);
    expect(expected).toBe(next);
  });

  test('pushBatch honours start and count', () => {
    const q = InjectQueue.create(16);
    q.pushBatch(Int32Array.from([9, 8, 7, 6, 5]), 1, 3);
    expect(drain(q)).toEqual([8, 7, 6]);
    q.pushBatch(new Int32Array(0));
    expect(q.len()).toBe(0);
    expect(q.popBatch(new Int32Array(4))).toBe(0);
  });

  test('when full: tryPush is false, push and pushBatch throw ERR_SKEIN_INJECT_FULL and take nothing', () => {
    const q = InjectQueue.create(4);
    q.pushBatch(Int32Array.from([1, 2, 3]));
    expect(() => q.pushBatch(Int32Array.from([4, 5]))).toThrow(InjectFullError);
    expect(q.len()).toBe(3);
    q.push(4);
    expect(q.tryPush(5)).toBe(false);
    let err: unknown;
    try {
      q.push(5);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(InjectFullError);
    expect(err).toBeInstanceOf(SkeinError);
    expect(err).toMatchObject({
      code: 'ERR_SKEIN_INJECT_FULL',
      name: 'InjectFullError',
      pending: null,
      requested: 1,
      free: 0,
      capacity: 4,
    });
    expect(drain(q)).toEqual([1, 2, 3, 4]);
  });

  test('free-running head and tail survive the int32 wrap', () => {
    const q = InjectQueue.create(8);
    const words = new Int32Array(q.sab, q.byteOffset, 3);
    words[1] = 0x7ffffffc; // head
    words[2] = 0x7ffffffc; // tail
    const out = new Int32Array(8);
    let next = 1;
    let expected = 1;
    for (let round = 0; round < 20; round++) {
      q.pushBatch(Int32Array.from([next++, next++, next++]));
      expect(q.len()).toBe(3);
      expect(q.popBatch(out)).toBe(3);
      expect(Array.from(out.subarray(0, 3))).toEqual([expected++, expected++, expected++]);
    }
    expect(words[1]).toBeLessThan(0); // it did wrap
  });

  test('instances attached to the same buffer share the queue', () => {
    const a = InjectQueue.create(16);
    const b = new InjectQueue(a.sab, a.byteOffset);
    expect(b.capacity).toBe(16);
    a.push(7);
    expect(b.len()).toBe(1);
    expect(b.pop()).toBe(7);
    expect(a.isEmpty()).toBe(true);
  });
});
