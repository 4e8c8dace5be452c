import { describe, it, expect } from 'vitest';
import { WaitList, type WaitNode } from '../../../../packages/core/src/sync/wait_list.js';
import { BatchSemaphore, AcquireWaiter } from '../../../../packages/core/src/sync/batch_semaphore.js';
import { rng } from './helpers.js';

class Node implements WaitNode {
  listPrev: WaitNode | null = null;
  listNext: WaitNode | null = null;
  listed = false;
  constructor(readonly id: number) {}
}

describe('sync internals', () => {
  it('WaitList keeps FIFO order and unlinks from anywhere in O(1)', () => {
    const l = new WaitList<Node>();
    const ns = Array.from({ length: 6 }, (_, i) => new Node(i));
    for (const n of ns) l.pushBack(n);
    expect(l.remove(ns[2]!)).toBe(true);
    expect(l.remove(ns[2]!)).toBe(false);
    expect(l.remove(ns[0]!)).toBe(true);
    expect(l.remove(ns[5]!)).toBe(true);
    expect(l.size).toBe(3);
    l.pushFront(ns[0]!);
    expect(l.popBack()!.id).toBe(4);
    expect(l.takeAll().map((n) => n.id)).toEqual([0, 1, 3]);
    expect(l.isEmpty()).toBe(true);
    expect(l.popFront()).toBeNull();
    expect(ns.every((n) => !n.listed && n.listPrev === null && n.listNext === null)).toBe(true);
  });

  it('BatchSemaphore: the free counter is 0 whenever someone waits', async () => {
    const rand = rng(11);
    const sem = new BatchSemaphore(5);
    const pending: Promise<number>[] = [];
    let held = 0;
    for (let i = 0; i < 2000; i++) {
      const n = 1 + Math.floor(rand() * 5);
      if (sem.tryTake(n)) held += n;
      else pending.push(sem.wait(new AcquireWaiter(sem, n), n));
      if (sem.waiterCount() > 0) expect(sem.available()).toBe(0);
      if (rand() < 0.5 && held > 0) {
        const k = 1 + Math.floor(rand() * held);
        held -= k;
        sem.release(k);
        if (sem.waiterCount() > 0) expect(sem.available()).toBe(0);
      }
    }
    sem.release(held);
    // Waiters wake in FIFO order as permits come back; give back what each got.
    for (const p of pending) {
      sem.release(await p);
    }
    expect(sem.available()).toBe(5);
    expect(sem.waiterCount()).toBe(0);
  });
});
