/**
 * The one FIFO queue (the scheduler's run queue, channels, JoinSet, the blocking pool): FIFO
 * through growth and wrap-around, and memory that follows what is still queued (a million
 * queued task starts must not stay allocated once drained).
 */
import { describe, expect, it } from 'vitest';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { Deque } from '../../../../packages/core/src/util/deque.js';
import { rng } from '../../support/rng.js';

describe('Deque', () => {
  it('is FIFO under interleaved pushes and shifts through growth and shrinking', () => {
    const q = new Deque<number>();
    const model: number[] = [];
    const rand = rng(7);
    let next = 0;
    let mismatches = 0;
    for (let round = 0; round < 200; round++) {
      const pushes = Math.floor(rand() * 5000);
      for (let i = 0; i < pushes; i++) {
        q.push(next);
        model.push(next++);
      }
      const shifts = Math.floor(rand() * 5000);
      for (let i = 0; i < shifts; i++) if (q.shift() !== model.shift()) mismatches++;
      if (q.length !== model.length) mismatches++;
    }
    while (model.length > 0) if (q.shift() !== model.shift()) mismatches++;
    expect(mismatches).toBe(0);
    expect(q.shift()).toBeUndefined();
    expect(q.length).toBe(0);
    q.push(-1);
    expect([q.length, q.shift(), q.length]).toEqual([1, -1, 0]);
  });

  it('matches an array model under random push/shift/unshift with growth and wrap-around', () => {
    const rand = rng(7);
    const d = new Deque<number>(4);
    const model: number[] = [];
    for (let i = 0; i < 20_000; i++) {
      const r = rand();
      if (r < 0.5) {
        d.push(i);
        model.push(i);
      } else if (r < 0.6) {
        d.unshift(i);
        model.unshift(i);
      } else {
        expect(d.shift()).toBe(model.shift());
      }
      expect(d.length).toBe(model.length);
      expect(d.peek()).toBe(model[0]);
    }
    expect([...d]).toEqual(model);
    expect(d.drain()).toEqual(model);
    expect(d.length).toBe(0);
    expect(d.shift()).toBeUndefined();
  });

  it('releases its memory as it drains', () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const heap = (): number => {
      gc();
      gc();
      return process.memoryUsage().heapUsed;
    };
    const q = new Deque<number>();
    const empty = heap();
    for (let i = 0; i < 1_000_000; i++) q.push(i);
    const full = heap() - empty;
    // A million small integers: 8 MB of slots.
    expect(full).toBeGreaterThan(7_000_000);
    while (q.length > 1000) q.shift();
    const drained = heap() - empty;
    // An array with a moving head would still hold all 8 MB here.
    expect(drained).toBeLessThan(full / 10);
    expect(q.shift()).toBe(999_000);
  });
});
