import { describe, expect, it } from 'vitest';
import { explore } from './checker.js';
import { byteRingProtocol } from './byte_ring_model.js';

describe('model check: sync/byte_ring.ts, the channel ring (every interleaving)', () => {
  it('two producers, a 4-word ring that wraps with a SKIP, records of one word: all arrive once, FIFO each', () => {
    const r = explore(byteRingProtocol({ size: 4, producers: [2, 2], body: 1 }));
    expect(r.violation).toBeUndefined();
    expect(r.endStates).toBeGreaterThan(1);
  });

  it('a 3-word ring with 2-word records waits for room and wraps every time', () => {
    const r = explore(byteRingProtocol({ size: 3, producers: [2, 1], body: 1 }));
    expect(r.violation).toBeUndefined();
  });

  it('finds a consumer that sleeps without re-checking (a lost wake-up)', () => {
    const r = explore(byteRingProtocol({ size: 4, producers: [1], body: 1, bug: 'noRecheck' }));
    expect(r.violation?.message).toMatch(/deadlock/);
  });

  it('finds a producer that waits for room without flagging HEAD (a lost wake-up)', () => {
    const r = explore(byteRingProtocol({ size: 3, producers: [2, 1], body: 1, bug: 'noFlag' }));
    expect(r.violation?.message).toMatch(/deadlock/);
  });

  it('finds a consumer that leaves stale words behind', () => {
    const r = explore(byteRingProtocol({ size: 4, producers: [2, 1], body: 1, bug: 'noZero' }));
    expect(r.violation).toBeDefined();
  });
});
