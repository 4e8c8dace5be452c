import { describe, expect, test } from 'vitest';
import { InjectQueue } from '../../../../packages/workers/src/shared/inject_queue.js';
import { LocalQueue } from '../../../../packages/workers/src/shared/local_queue.js';
import { checkSeenOnce, runFixtures, type FixtureResult } from './spawn.js';

const N = 1_500_000;
const THREADS = 4;

async function run(producers: number): Promise<FixtureResult[]> {
  const queuesSab = new SharedArrayBuffer(THREADS * LocalQueue.bytesFor());
  const inject = InjectQueue.create(1 << 21); // never full here: overflow must not fail
  const seenSab = new SharedArrayBuffer(N + 1);
  const ctlSab = new SharedArrayBuffer(16);
  const ctl = new Int32Array(ctlSab);
  ctl[3] = producers;
  const results = await runFixtures(
    'local_queue_stress',
    Array.from({ length: THREADS }, (_, index) => ({
      index,
      threads: THREADS,
      producers,
      n: N,
      queuesSab,
      injectSab: inject.sab,
      seenSab,
      ctlSab,
    })),
  );
  expect(ctl[2], 'duplicate or out-of-range ids').toBe(0);
  expect(checkSeenOnce(new Uint8Array(seenSab), N)).toEqual([]);
  expect(ctl[0]).toBe(N);
  const total = (k: string): number => results.reduce((s, r) => s + (r[k] as number), 0);
  expect(total('consumed')).toBe(N);
  expect(inject.len()).toBe(0);
  for (let i = 0; i < THREADS; i++) expect(new LocalQueue(queuesSab, i * LocalQueue.bytesFor()).len()).toBe(0);
  // The run must exercise the racy paths, or it proves nothing.
  expect(total('stolen')).toBeGreaterThan(0);
  expect(total('overflows')).toBeGreaterThan(0);
  console.log(`local queue stress (${producers} producer(s)):`, JSON.stringify(results.map(({ ok: _ok, ...r }) => r)));
  return results;
}

describe('LocalQueue on real threads', () => {
  test(`one owner pushing/popping, ${THREADS - 1} thieves: ${N} ids consumed exactly once`, async () => {
    await run(1);
  });

  test(`${THREADS} owners that are also thieves: ${N} ids consumed exactly once`, async () => {
    await run(THREADS);
  });
});
