import { describe, expect, test } from 'vitest';
import { InjectQueue } from '../../../../packages/workers/src/shared/inject_queue.js';
import { checkSeenOnce, runFixtures } from './spawn.js';

const N = 1_200_000;
const PRODUCERS = 3;
const CONSUMERS = 3;
const CAPACITY = 4096;

describe('InjectQueue on real threads', () => {
  test(`${PRODUCERS} producers and ${CONSUMERS} consumers move ${N} ids exactly once through ${CAPACITY} slots`, async () => {
    const inject = InjectQueue.create(CAPACITY);
    const seenSab = new SharedArrayBuffer(N + 1);
    const ctlSab = new SharedArrayBuffer(16);
    const common = { producers: PRODUCERS, n: N, injectSab: inject.sab, seenSab, ctlSab };
    const results = await runFixtures('inject_stress', [
      ...Array.from({ length: PRODUCERS }, (_, index) => ({ role: 'producer', index, ...common })),
      ...Array.from({ length: CONSUMERS }, (_, index) => ({ role: 'consumer', index, ...common })),
    ]);
    const ctl = new Int32Array(ctlSab);
    expect(ctl[2], 'duplicate or out-of-range ids').toBe(0);
    expect(checkSeenOnce(new Uint8Array(seenSab), N)).toEqual([]);
    expect(ctl[0]).toBe(N);
    expect(inject.len()).toBe(0);
    expect(inject.pop()).toBe(0);
    const total = (k: string): number => results.reduce((s, r) => s + (r[k] as number), 0);
    expect(total('pushed')).toBe(N);
    expect(total('consumed')).toBe(N);
    expect(Math.max(...results.map((r) => r.maxLen as number))).toBeLessThanOrEqual(CAPACITY);
    console.log('inject stress:', JSON.stringify(results.map(({ ok: _ok, ...r }) => r)));
  });
});
