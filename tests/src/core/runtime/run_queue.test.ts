/**
 * The scheduler's run queue: FIFO across block boundaries, and memory that follows what is
 * still queued (a million queued task starts must not stay allocated once drained).
 */
import { describe, expect, it } from 'vitest';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { RunQueue } from '../../../../packages/core/src/runtime/run_queue.js';
import { rng } from '../../support/rng.js';

describe('RunQueue', () => {
  it('is FIFO under interleaved pushes and shifts across many blocks', () => {
    const q = new RunQueue<number>();
    const model: number[] = [];
    const rand = rng(7);
    let next = 0;
    let mismatches = 0;
    for (let round = 0; round < 200; round++) {
      const pushes = Math.floor(rand() * 5000);
      for (let i = 0; i < pushes; i++) { q.push(next); model.push(next++); }
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

  it('releases its memory as it drains', () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const heap = (): number => { gc(); gc(); return process.memoryUsage().heapUsed; };
    const q = new RunQueue<number>();
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
