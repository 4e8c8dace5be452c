import { describe, expect, test } from 'vitest';
import { Mailbox } from '../../../../packages/workers/src/shared/mailbox.js';
import { checkSeenOnce, resultOf, runFixtures, startFixture } from './spawn.js';

const N = 1_000_000;
const PRODUCERS = 4;
const CAPACITY = 1024;

function setup() {
  const mailbox = Mailbox.create(CAPACITY);
  const seenSab = new SharedArrayBuffer(N + 1);
  const ctlSab = new SharedArrayBuffer(16);
  const producers = Array.from({ length: PRODUCERS }, (_, index) => ({
    index,
    producers: PRODUCERS,
    n: N,
    mailboxSab: mailbox.sab,
    ctlSab,
  }));
  return { mailbox, seenSab, ctlSab, producers };
}

describe('Mailbox on real threads', () => {
  test(`${PRODUCERS} producers, main-thread consumer on waitAsync: ${N} ids exactly once`, async () => {
    const { mailbox, seenSab, ctlSab, producers } = setup();
    const seen = new Uint8Array(seenSab);
    let consumed = 0;
    let bad = 0;
    let waits = 0;
    const consume = (id: number): void => {
      if (id < 1 || id > N || seen[id]++ !== 0) bad++;
      consumed++;
    };
    const done = runFixtures('mailbox_producer', producers);
    while (consumed < N) {
      mailbox.drain(consume);
      if (consumed === N) break;
      waits++;
      await mailbox.waitAsync();
    }
    const results = await done;
    expect(bad).toBe(0);
    expect(checkSeenOnce(seen, N)).toEqual([]);
    expect(mailbox.len()).toBe(0);
    expect(mailbox.hasPending()).toBe(false);
    expect(results.reduce((s, r) => s + (r.posted as number), 0)).toBe(N);
    expect(new Int32Array(ctlSab)[2]).toBe(0);
    console.log(
      'mailbox stress (main consumer):',
      JSON.stringify({
        waits,
        avgBatch: Math.round(N / Math.max(1, waits)),
        producers: results.map(({ ok: _ok, ...r }) => r),
      }),
    );
  });

  for (const mode of ['async', 'sync'] as const) {
    test(`${PRODUCERS} producers, worker consumer on ${mode === 'async' ? 'waitAsync (timers keep ticking)' : 'waitSync'}: ${N} ids exactly once`, async () => {
      const { mailbox, seenSab, ctlSab, producers } = setup();
      const consumer = startFixture('mailbox_consumer', { mode, n: N, mailboxSab: mailbox.sab, seenSab, ctlSab });
      const consumerResult = resultOf(consumer);
      const results = await runFixtures('mailbox_producer', producers);
      const stats = await consumerResult;
      expect(new Int32Array(ctlSab)[2], 'duplicate or out-of-range ids').toBe(0);
      expect(checkSeenOnce(new Uint8Array(seenSab), N)).toEqual([]);
      expect(stats.consumed).toBe(N);
      expect(results.reduce((s, r) => s + (r.posted as number), 0)).toBe(N);
      if (mode === 'async') expect(stats.ticks as number).toBeGreaterThan(0);
      console.log(`mailbox stress (worker consumer, ${mode}):`, JSON.stringify(stats));
    });
  }
});
