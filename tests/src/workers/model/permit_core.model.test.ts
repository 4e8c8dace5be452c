import { describe, expect, it } from 'vitest';
import { explore } from './checker.js';
import { permitCoreProtocol } from './permit_core_model.js';

describe('model check: sync/permit_core.ts lock hand-off, lock-free fast paths and waiter queue (every interleaving)', () => {
  it('three threads, one permit, one node: hand-off, full slab retry, no lost wake-up', () => {
    const r = explore(
      permitCoreProtocol({
        permits: 1,
        nodes: 1,
        threads: [[['acquireRelease', 1]], [['acquireRelease', 1]], [['acquireRelease', 1]]],
      }),
    );
    expect(r.violation).toBeUndefined();
    expect(r.states).toBeGreaterThan(1000);
  });

  it('a cancel racing the grant gives back what was assigned (partial assignment of 2 of 3)', () => {
    const r = explore(
      permitCoreProtocol({
        permits: 3,
        nodes: 2,
        threads: [[['acquireRelease', 2]], [['acquireCancel', 3]], [['acquireRelease', 1]]],
      }),
    );
    expect(r.violation).toBeUndefined();
  });

  it('finds a releaser that never rings the waiter`s doorbell (a deadlock)', () => {
    const r = explore(
      permitCoreProtocol({
        permits: 1,
        nodes: 2,
        threads: [[['acquireRelease', 1]], [['acquireRelease', 1]]],
        bug: 'noNotify',
      }),
    );
    expect(r.violation?.message).toMatch(/deadlock/);
  });

  it('finds a waiter that misses a racing lock-free release (no re-check after linking)', () => {
    const r = explore(
      permitCoreProtocol({
        permits: 1,
        nodes: 1,
        threads: [[['acquireRelease', 1]], [['acquireRelease', 1]]],
        bug: 'noRecheck',
      }),
    );
    expect(r.violation?.message).toMatch(/deadlock|permits free/);
  });

  it('finds a cancel that keeps the permits assigned to it while queued', () => {
    const r = explore(
      permitCoreProtocol({
        permits: 3,
        nodes: 2,
        threads: [[['acquireRelease', 2]], [['acquireCancel', 3]]],
        bug: 'cancelKeepsAssigned',
      }),
    );
    expect(r.violation?.message).toMatch(/permits free/);
  });
});
