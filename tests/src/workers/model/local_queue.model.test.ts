import { describe, expect, it } from 'vitest';
import { explore } from './checker.js';
import { localQueueProtocol } from './local_queue_model.js';

describe('model check: shared/local_queue.ts (every interleaving, small ring)', () => {
  it('owner pushes past capacity and pops while a thief steals twice: every id out exactly once', () => {
    const r = explore(localQueueProtocol({ capacity: 4, owner: [1, 2, 3, 'pop', 4, 5, 6, 'pop'], thieves: [2] }));
    expect(r.violation).toBeUndefined();
    expect(r.endStates).toBeGreaterThan(1);
  });

  it('two thieves race each other and the owner', () => {
    const r = explore(localQueueProtocol({ capacity: 4, owner: [1, 2, 3, 4, 5, 'pop'], thieves: [1, 1] }));
    expect(r.violation).toBeUndefined();
  });

  it('finds a thief whose release undoes the owner`s pops (plain store instead of CAS)', () => {
    const r = explore(
      localQueueProtocol({ capacity: 4, owner: [1, 2, 3, 'pop', 'pop'], thieves: [1], bug: 'plainStoreRelease' }),
    );
    expect(r.violation?.message).toMatch(/differ/);
  });

  it('finds an owner that reuses slots a thief is still copying', () => {
    const r = explore(
      localQueueProtocol({ capacity: 4, owner: [1, 2, 3, 4, 'pop', 5, 6], thieves: [1], bug: 'freeFromReal' }),
    );
    expect(r.violation).toBeDefined();
  });
});
