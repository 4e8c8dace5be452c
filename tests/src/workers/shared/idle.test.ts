import { describe, expect, test } from 'vitest';
import { Idle } from '../../../../packages/workers/src/shared/idle.js';

describe('Idle', () => {
  test('starts with every worker unparked and none searching', () => {
    const idle = Idle.create(4);
    expect(idle.numWorkers).toBe(4);
    expect(idle.numUnparked()).toBe(4);
    expect(idle.numSearching()).toBe(0);
    expect(idle.numParked()).toBe(0);
    expect(() => Idle.create(0)).toThrow(RangeError);
  });

  test.each([
    [1, 1],
    [2, 1],
    [3, 2],
    [4, 2],
    [8, 4],
  ])('with %i workers at most %i search at once', (workers, cap) => {
    const idle = Idle.create(workers);
    for (let i = 0; i < cap; i++) expect(idle.transitionWorkerToSearching()).toBe(true);
    expect(idle.transitionWorkerToSearching()).toBe(false);
    expect(idle.numSearching()).toBe(cap);
  });

  test('transitionWorkerFromSearching is true only for the last searcher', () => {
    const idle = Idle.create(4);
    idle.transitionWorkerToSearching();
    idle.transitionWorkerToSearching();
    expect(idle.transitionWorkerFromSearching()).toBe(false);
    expect(idle.transitionWorkerFromSearching()).toBe(true);
    expect(idle.numSearching()).toBe(0);
  });

  test('parking: the last searcher is told to re-check for work', () => {
    const idle = Idle.create(4);
    expect(idle.transitionWorkerToParked(0, false)).toBe(false);
    idle.transitionWorkerToSearching();
    idle.transitionWorkerToSearching();
    expect(idle.transitionWorkerToParked(1, true)).toBe(false);
    expect(idle.transitionWorkerToParked(2, true)).toBe(true);
    expect(idle.numParked()).toBe(3);
    expect(idle.numUnparked()).toBe(1);
    expect(idle.numSearching()).toBe(0);
    expect(idle.isParked(2)).toBe(true);
    expect(idle.isParked(3)).toBe(false);
  });

  test('workerToNotify wakes a sleeper only when nobody searches, and counts it as searching', () => {
    const idle = Idle.create(3);
    expect(idle.workerToNotify()).toBe(-1); // nobody parked
    idle.transitionWorkerToParked(0, false);
    idle.transitionWorkerToParked(1, false);
    idle.transitionWorkerToSearching(); // worker 2 searches
    expect(idle.workerToNotify()).toBe(-1); // the searcher will find the work
    expect(idle.transitionWorkerFromSearching()).toBe(true);
    expect(idle.workerToNotify()).toBe(1); // most recently parked first, like Tokio
    expect(idle.numSearching()).toBe(1);
    expect(idle.numUnparked()).toBe(2);
    expect(idle.isParked(1)).toBe(false);
    expect(idle.workerToNotify()).toBe(-1); // worker 1 is searching now
  });

  test('unparkWorkerById removes a sleeper that woke on its own, without making it search', () => {
    const idle = Idle.create(3);
    idle.transitionWorkerToParked(0, false);
    idle.transitionWorkerToParked(1, false);
    idle.transitionWorkerToParked(2, false);
    expect(idle.unparkWorkerById(0)).toBe(true);
    expect(idle.unparkWorkerById(0)).toBe(false);
    expect(idle.numParked()).toBe(2);
    expect(idle.numUnparked()).toBe(1);
    expect(idle.numSearching()).toBe(0);
    expect(idle.isParked(1) && idle.isParked(2)).toBe(true);
    expect(() => idle.unparkWorkerById(3)).toThrow(RangeError);
  });

  test('unparkWorkerByShutdown hands out every sleeper once', () => {
    const idle = Idle.create(4);
    idle.transitionWorkerToParked(3, false);
    idle.transitionWorkerToParked(1, false);
    idle.transitionWorkerToSearching(); // shutdown ignores searchers
    const woken: number[] = [];
    for (let w = idle.unparkWorkerByShutdown(); w >= 0; w = idle.unparkWorkerByShutdown()) woken.push(w);
    expect(woken.sort()).toEqual([1, 3]);
    expect(idle.numParked()).toBe(0);
    expect(idle.numUnparked()).toBe(4);
  });

  test('instances on the same buffer share the state', () => {
    const a = Idle.create(2);
    const b = new Idle(a.sab, a.byteOffset);
    expect(b.numWorkers).toBe(2);
    a.transitionWorkerToParked(1, false);
    expect(b.isParked(1)).toBe(true);
    expect(b.workerToNotify()).toBe(1);
  });
});
