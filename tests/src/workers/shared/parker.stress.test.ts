import { describe, expect, test } from 'vitest';
import { Parker } from '../../../../packages/workers/src/shared/parker.js';
import { runFixtures } from './spawn.js';

const ROUNDS = 20_000;
const UNPARKERS = 3;
const PER_UNPARKER = 200_000;

describe('Parker on real threads', () => {
  for (const sync of [false, true]) {
    test(`ping-pong ${ROUNDS} rounds (${sync ? 'parkSync vs park' : 'park vs park'}) without a lost wake-up`, {
      timeout: 30_000,
    }, async () => {
      const parkersSab = new SharedArrayBuffer(2 * Parker.bytesFor());
      const ctlSab = new SharedArrayBuffer(16);
      const common = { mode: 'pingpong', rounds: ROUNDS, unparkers: 0, perUnparker: 0, parkersSab, ctlSab };
      const results = await runFixtures('parker_stress', [
        { ...common, index: 0, sync },
        { ...common, index: 1, sync: false },
      ]);
      expect(new Int32Array(ctlSab)[0]).toBe(2 * ROUNDS);
      console.log(`parker ping-pong (sync=${sync}):`, JSON.stringify(results.map((r) => r.parks)));
    });
  }

  test(`${UNPARKERS} unparkers x ${PER_UNPARKER} against one parking owner: nothing lost`, {
    timeout: 30_000,
  }, async () => {
    const parkersSab = new SharedArrayBuffer(Parker.bytesFor());
    const ctlSab = new SharedArrayBuffer(16);
    const common = { rounds: 0, unparkers: UNPARKERS, perUnparker: PER_UNPARKER, parkersSab, ctlSab };
    const results = await runFixtures('parker_stress', [
      { ...common, mode: 'owner', index: 0 },
      ...Array.from({ length: UNPARKERS }, (_, i) => ({ ...common, mode: 'unparker', index: i + 1 })),
    ]);
    expect(results[0]!.total).toBe(UNPARKERS * PER_UNPARKER);
    expect(results[0]!.parks as number).toBeGreaterThan(0);
    console.log('parker storm:', JSON.stringify(results.map(({ ok: _ok, ...r }) => r)));
  });
});
