import { describe, it, expect } from 'vitest';
import {
  Semaphore,
  Mutex,
  Notify,
  mpsc,
  broadcast,
  spawn,
  sleep,
  yieldNow,
  timeout,
  RecvError,
  type JoinHandle,
} from '@skein/core';
import { withRuntime, rng, settle } from './helpers.js';

async function joinAll(hs: JoinHandle<unknown>[]): Promise<void> {
  for (const h of hs) {
    try {
      await h;
    } catch {
      /* aborted */
    }
  }
}

describe('sync stress', () => {
  it('semaphore: permits conserved under thousands of tasks, aborts and timeouts', async () => {
    await withRuntime(
      async () => {
        const rand = rng(1);
        const TOTAL = 8;
        const sem = new Semaphore(TOTAL);
        let held = 0;
        let peak = 0;
        let violations = 0;
        let completed = 0;
        const hs: JoinHandle<unknown>[] = [];
        for (let i = 0; i < 3000; i++) {
          const n = 1 + Math.floor(rand() * 4);
          const work = Math.floor(rand() * 3);
          const useTimeout = rand() < 0.2;
          hs.push(
            spawn(async () => {
              const p = useTimeout
                ? await timeout(2, () => sem.acquire(n)).catch(() => undefined)
                : await sem.acquire(n);
              if (p === undefined) return;
              try {
                held += n;
                peak = Math.max(peak, held);
                if (held > TOTAL) violations++;
                await sleep(work);
                completed++;
              } finally {
                held -= n;
                p.release();
              }
            }),
          );
          if (rand() < 0.1) {
            const victim = hs[Math.floor(rand() * hs.length)]!;
            victim.abort();
          }
          if (i % 100 === 0) await yieldNow();
        }
        await joinAll(hs);
        expect(violations).toBe(0);
        expect(peak).toBeLessThanOrEqual(TOTAL);
        expect(held).toBe(0);
        expect(completed).toBeGreaterThan(1000);
        expect(sem.availablePermits()).toBe(TOTAL);
      },
      { paused: true },
    );
  });

  it('mutex: FIFO holds for thousands of waiters, aborted ones skipped', async () => {
    await withRuntime(async () => {
      const rand = rng(2);
      const m = new Mutex(0);
      const first = await m.lock();
      const order: number[] = [];
      const hs: JoinHandle<unknown>[] = [];
      const aborted = new Set<number>();
      for (let i = 0; i < 3000; i++) {
        hs.push(
          spawn(async () => {
            const g = await m.lock();
            order.push(i);
            g.value++;
            if (i % 7 === 0) await yieldNow();
            g.release();
          }),
        );
      }
      await settle();
      for (let i = 0; i < 3000; i++) {
        if (rand() < 0.2) {
          hs[i]!.abort();
          aborted.add(i);
        }
      }
      first.release();
      await joinAll(hs);
      const expected = Array.from({ length: 3000 }, (_, i) => i).filter((i) => !aborted.has(i));
      expect(order).toEqual(expected);
      expect(m.isLocked()).toBe(false);
      expect(m.tryLock().value).toBe(expected.length);
    });
  });

  it('mpsc: no message lost or duplicated with several producers, random aborts and cancelled receivers', async () => {
    await withRuntime(
      async () => {
        const rand = rng(3);
        const [tx, rx] = mpsc.channel<[number, number]>(16);
        const PRODUCERS = 8;
        const PER = 1500;
        const sent: Set<string>[] = Array.from({ length: PRODUCERS }, () => new Set());
        const producers: JoinHandle<unknown>[] = [];
        for (let p = 0; p < PRODUCERS; p++) {
          const t = tx.clone();
          producers.push(
            spawn(async () => {
              try {
                for (let i = 0; i < PER; i++) {
                  await t.send([p, i]);
                  sent[p]!.add(`${p}:${i}`);
                  if (rand() < 0.05) await sleep(1);
                }
              } finally {
                t.close();
              }
            }),
          );
        }
        tx.close();
        const received: [number, number][] = [];
        let done = false;
        // Receivers that get aborted at random points; a fresh one takes over each time.
        while (!done) {
          const consumer = spawn(async () => {
            for (;;) {
              const v = await rx.recv();
              if (v === undefined) {
                done = true;
                return;
              }
              received.push(v);
              if (rand() < 0.3) await yieldNow();
            }
          });
          await sleep(Math.floor(rand() * 3));
          if (rand() < 0.1) {
            const victim = producers[Math.floor(rand() * PRODUCERS)]!;
            victim.abort();
          }
          consumer.abort();
          await consumer.then(
            () => undefined,
            () => undefined,
          );
        }
        await joinAll(producers);
        const seen = new Set<string>();
        const last = new Array<number>(PRODUCERS).fill(-1);
        for (const [p, i] of received) {
          const k = `${p}:${i}`;
          expect(seen.has(k)).toBe(false); // no duplicates
          seen.add(k);
          expect(i).toBeGreaterThan(last[p]!); // per-producer order
          last[p] = i;
        }
        const allSent = new Set(sent.flatMap((s) => [...s]));
        // Every completed send was received, and nothing whose send was cancelled was.
        expect(seen).toEqual(allSent);
        expect(received.length).toBeGreaterThan(PRODUCERS * 100);
      },
      { paused: true },
    );
  });

  it('notify: no notifyOne is lost when waiters are cancelled around it', async () => {
    await withRuntime(async () => {
      const rand = rng(4);
      const n = new Notify();
      let completions = 0;
      const hs = Array.from({ length: 1000 }, () =>
        spawn(async () => {
          await n.notified();
          completions++;
        }),
      );
      await settle();
      let notified = 0;
      let aborted = 0;
      for (let i = 0; i < 1000 && notified < 600; i++) {
        if (rand() < 0.7) {
          n.notifyOne();
          notified++;
        }
        if (rand() < 0.3 && aborted < 300) {
          const victim = hs[Math.floor(rand() * hs.length)]!;
          if (!victim.isFinished()) {
            victim.abort();
            aborted++;
          }
        }
        if (rand() < 0.2) await yieldNow();
      }
      await settle(10);
      expect(completions).toBe(notified);
      for (const h of hs) h.abort();
      await joinAll(hs);
    });
  });

  it('broadcast: each receiver sees an ordered subsequence; received + lagged = sent', async () => {
    await withRuntime(async () => {
      const rand = rng(5);
      const [tx, rx0] = broadcast.channel<number>(8);
      const rxs = [rx0, ...Array.from({ length: 9 }, () => tx.subscribe())];
      const TOTAL = 5000;
      const results = rxs.map((rx, r) =>
        spawn(async () => {
          let got = 0;
          let lagged = 0;
          let last = -1;
          for (;;) {
            try {
              const v = await rx.recv();
              if (v <= last) throw new Error(`receiver ${r} went backwards`);
              last = v;
              got++;
              if (r % 3 === 0 && rand() < 0.1) await yieldNow();
            } catch (e) {
              if (!(e instanceof RecvError)) throw e;
              if (e.kind === 'closed') return { got, lagged };
              lagged += e.lagged;
            }
          }
        }),
      );
      for (let i = 0; i < TOTAL; i++) {
        tx.send(i);
        if (rand() < 0.05) await yieldNow();
      }
      tx.close();
      for (const h of results) {
        const { got, lagged } = await h;
        expect(got + lagged).toBe(TOTAL);
      }
    });
  });
});
