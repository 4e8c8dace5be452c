/**
 * Sync primitives and channels on the current-thread flavour, each beside a hand-written
 * promise baseline (see baselines.ts) in the same run.
 */
import { Mutex, Semaphore, broadcast, mpsc, spawn, type JoinHandle, type Receiver } from '@skein/core';
import { onRuntime } from './on_runtime.js';
import type { Bench } from '../harness.js';
import { ArrayChannel, ArrayMutex, ArraySemaphore } from '../baselines.js';

const PRODUCERS = 4;
const PER_PRODUCER = 250_000;
const CAPACITY = 1024;
const LOCKS = 1_000_000;
const SEM_TASKS = 1000;
const SEM_ROUNDS = 100;
const SEM_PERMITS = 10;
const RECEIVERS = 100;
const BROADCASTS = 10_000;

/** Inside a task: a capacity-CAPACITY channel fed by PRODUCERS tasks, one await per send. */
function startProducers(): Receiver<number> {
  const [tx, rx] = mpsc.channel<number>(CAPACITY);
  for (let p = 0; p < PRODUCERS; p++) {
    const mine = tx.clone();
    spawn(async () => {
      for (let i = 0; i < PER_PRODUCER; i++) await mine.send(i);
      mine.close();
    });
  }
  tx.close();
  return rx;
}

/** The sync benches. */
export function syncBenches(): Bench[] {
  return [
    {
      name: 'mpsc',
      description: `${PRODUCERS} producers × ${PER_PRODUCER / 1000}k messages, capacity ${CAPACITY}`,
      unit: 'msgs/s',
      baseline: 'array queue + promises',
      target: { value: 4_000_000, note: '≥ 4M msgs/s (Tokio current-thread: 12.3M/s)' },
      contenders: [
        {
          name: 'skein mpsc (recv)',
          ops: PRODUCERS * PER_PRODUCER,
          ...onRuntime(async () => {
            const rx = startProducers();
            let n = 0;
            while ((await rx.recv()) !== undefined) n++;
            if (n !== PRODUCERS * PER_PRODUCER) throw new Error(`lost messages: ${n}`);
          }),
        },
        {
          name: 'skein mpsc (recvMany)',
          ops: PRODUCERS * PER_PRODUCER,
          ...onRuntime(async () => {
            const rx = startProducers();
            // Tokio's batch consumer (`recv_many`): one await per batch of whatever the
            // producers got in since the last one, each still a FIFO receive. The producers
            // are unchanged: one await per send.
            const buf: number[] = [];
            let n = 0;
            for (;;) {
              const k = await rx.recvMany(buf, CAPACITY);
              if (k === 0) break;
              n += k;
              buf.length = 0;
            }
            if (n !== PRODUCERS * PER_PRODUCER) throw new Error(`lost messages: ${n}`);
          }),
        },
        {
          name: 'array queue + promises',
          ops: PRODUCERS * PER_PRODUCER,
          run: async () => {
            const ch = new ArrayChannel<number>(CAPACITY);
            let left = PRODUCERS;
            for (let p = 0; p < PRODUCERS; p++) {
              void (async () => {
                for (let i = 0; i < PER_PRODUCER; i++) await ch.send(i);
                if (--left === 0) ch.close();
              })();
            }
            let n = 0;
            while ((await ch.recv()) !== undefined) n++;
            if (n !== PRODUCERS * PER_PRODUCER) throw new Error(`lost messages: ${n}`);
          },
        },
      ],
    },
    {
      name: 'mutex_uncontended',
      description: `${LOCKS / 1e6}M lock + release, one task`,
      unit: 'locks/s',
      baseline: 'array mutex',
      contenders: [
        {
          name: 'skein Mutex',
          ops: LOCKS,
          ...onRuntime(async () => {
            const m = new Mutex(0);
            for (let i = 0; i < LOCKS; i++) {
              const g = await m.lock();
              g.value++;
              g.release();
            }
          }),
        },
        {
          name: 'array mutex',
          ops: LOCKS,
          run: async () => {
            const m = new ArrayMutex();
            let v = 0;
            for (let i = 0; i < LOCKS; i++) {
              await m.lock();
              v++;
              m.unlock();
            }
            if (v !== LOCKS) throw new Error('lost');
          },
        },
      ],
    },
    {
      name: 'semaphore_contended',
      description: `${SEM_TASKS} tasks × ${SEM_ROUNDS} acquire/release, ${SEM_PERMITS} permits`,
      unit: 'acquires/s',
      baseline: 'array semaphore',
      contenders: [
        {
          name: 'skein Semaphore',
          ops: SEM_TASKS * SEM_ROUNDS,
          ...onRuntime(async () => {
            const sem = new Semaphore(SEM_PERMITS);
            const hs: JoinHandle<void>[] = [];
            for (let t = 0; t < SEM_TASKS; t++) {
              hs.push(
                spawn(async () => {
                  for (let i = 0; i < SEM_ROUNDS; i++) {
                    const p = await sem.acquire();
                    await Promise.resolve();
                    p.release();
                  }
                }),
              );
            }
            for (const h of hs) await h;
          }),
        },
        {
          name: 'array semaphore',
          ops: SEM_TASKS * SEM_ROUNDS,
          run: async () => {
            const sem = new ArraySemaphore(SEM_PERMITS);
            const ps: Promise<void>[] = [];
            for (let t = 0; t < SEM_TASKS; t++) {
              ps.push(
                (async () => {
                  for (let i = 0; i < SEM_ROUNDS; i++) {
                    await sem.acquire();
                    await Promise.resolve();
                    sem.release();
                  }
                })(),
              );
            }
            await Promise.all(ps);
          },
        },
      ],
    },
    {
      name: 'broadcast',
      description: `${BROADCASTS / 1000}k values to ${RECEIVERS} receivers`,
      unit: 'deliveries/s',
      baseline: 'per-receiver array queues',
      contenders: [
        {
          name: 'skein broadcast',
          ops: BROADCASTS * RECEIVERS,
          ...onRuntime(async () => {
            const [tx, first] = broadcast.channel<number>(BROADCASTS);
            const rxs = [first, ...Array.from({ length: RECEIVERS - 1 }, () => tx.subscribe())];
            // Tokio's `while let Ok(_) = rx.recv().await`: the closed error ends the loop. (A
            // `.catch()` per recv would add a promise per delivery that the baseline doesn't
            // pay, measuring the bench rather than the channel.)
            const hs = rxs.map((rx) =>
              spawn(async () => {
                let n = 0;
                try {
                  for (;;) {
                    await rx.recv();
                    n++;
                  }
                } catch {
                  return n;
                }
              }),
            );
            for (let i = 0; i < BROADCASTS; i++) tx.send(i);
            tx.close();
            for (const h of hs) if ((await h) !== BROADCASTS) throw new Error('lost');
          }),
        },
        {
          name: 'per-receiver array queues',
          ops: BROADCASTS * RECEIVERS,
          run: async () => {
            const qs = Array.from({ length: RECEIVERS }, () => new ArrayChannel<number>());
            const ps = qs.map(async (q) => {
              let n = 0;
              while ((await q.recv()) !== undefined) n++;
              return n;
            });
            for (let i = 0; i < BROADCASTS; i++) for (const q of qs) q.send(i);
            for (const q of qs) q.close();
            for (const n of await Promise.all(ps)) if (n !== BROADCASTS) throw new Error('lost');
          },
        },
      ],
    },
  ];
}
