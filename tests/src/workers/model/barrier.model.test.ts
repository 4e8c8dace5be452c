import { describe, expect, it } from 'vitest';
import { explore } from './checker.js';
import { barrierProtocol } from './barrier_model.js';

describe('model check: sync/shared_barrier.ts arrivals and the generation word (every interleaving)', () => {
  it('three threads, n = 3, two rounds: one leader per generation, nobody leaves early, no lost wake-up', () => {
    const r = explore(barrierProtocol({ n: 3, threads: 3, rounds: 2 }));
    expect(r.violation).toBeUndefined();
    expect(r.endStates).toBeGreaterThan(0);
  });

  it('four threads, n = 2: a second generation arrives while the first is being released', () => {
    const r = explore(barrierProtocol({ n: 2, threads: 4, rounds: 1 }));
    expect(r.violation).toBeUndefined();
  });

  it('finds a generation bumped outside the lock (a next-generation arrival joins the old one)', () => {
    const r = explore(barrierProtocol({ n: 2, threads: 4, rounds: 1, bug: 'genOutsideLock' }));
    expect(r.violation?.message).toMatch(/arrivals|leaders|left after/);
  });

  it('finds a leader that never notifies (a deadlock)', () => {
    const r = explore(barrierProtocol({ n: 2, threads: 2, rounds: 1, bug: 'noNotify' }));
    expect(r.violation?.message).toMatch(/deadlock/);
  });
});
