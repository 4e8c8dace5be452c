/**
 * Cross-thread sync (issue 14): sharedMpsc, SharedMutex and SharedSemaphore on a
 * multi-thread runtime with 2 workers, beside their in-thread core namesakes in the same
 * run. Tokio multi-thread figures on this VM are in each bench's note.
 */
import { Mutex, Runtime, Semaphore, mpsc, spawn, spawnLocal, yieldNow } from '@skein/core';
import { SharedMutex, SharedSemaphore, sharedMpsc } from '@skein/workers';
import type { Bench, Contender } from '../harness.js';
import { mtChannel, mtMutexContended, mtMutexUncontended } from '../peers/multithreading.js';
import { bump, churn, produce } from '../tasks/shared_sync.js';

const WORKERS = 2;
const PRODUCERS = 4;
const PER_PRODUCER = 250_000;
const CAPACITY = 1024;
const LOCKS = 200_000;
const CONTENDED_TASKS = 8;
const CONTENDED_EACH = 5_000;
const SEM_TASKS = 1000;
const SEM_EACH = 100;
const SEM_PERMITS = 8;
/** multithreading's channel moves ~20 k msgs/s here: fewer messages keep a round short. */
const MT_PER_PRODUCER = 10_000;

/** A contender on its own runtime, built in setup. */
function onRuntime(
  name: string,
  ops: number,
  flavour: 'multi' | 'current',
  body: (rt: Runtime) => Promise<void>,
): Contender {
  let rt: Runtime | undefined;
  return {
    name,
    ops,
    async setup() {
      const b = Runtime.builder().logger('silent');
      rt = await (flavour === 'multi' ? b.multiThread().workerThreads(WORKERS) : b.currentThread()).build();
    },
    async teardown() {
      await rt?.shutdown();
    },
    run: () => rt!.blockOn(() => body(rt!)),
  };
}

export function sharedSyncBenches(): Bench[] {
  const total = PRODUCERS * PER_PRODUCER;
  return [
    {
      name: 'shared_mpsc',
      description: `${PRODUCERS} producer tasks on ${WORKERS} workers × ${PER_PRODUCER / 1000}k numbers to a consumer on the main thread, capacity ${CAPACITY} (Tokio multi-thread: 3.3 M/s here)`,
      unit: 'msgs/s',
      baseline: 'core mpsc (one thread)',
      target: { value: 1_000_000, note: '≥ 1 M msgs/s', kind: 'min' },
      contenders: [
        onRuntime('skein sharedMpsc (2 workers → main)', total, 'multi', async () => {
          const [tx, rx] = sharedMpsc.channel<number>(CAPACITY);
          for (let p = 0; p < PRODUCERS; p++) spawn(produce, tx, PER_PRODUCER);
          tx.close();
          let n = 0;
          while ((await rx.recv()) !== undefined) n++;
          if (n !== total) throw new Error(`received ${n} of ${total}`);
        }),
        onRuntime('core mpsc (one thread)', total, 'current', async () => {
          const [tx, rx] = mpsc.channel<number>(CAPACITY);
          for (let p = 0; p < PRODUCERS; p++) {
            const t = tx.clone();
            spawnLocal(async () => {
              for (let i = 0; i < PER_PRODUCER; i++) await t.send(i);
              t.close();
            });
          }
          tx.close();
          let n = 0;
          while ((await rx.recv()) !== undefined) n++;
          if (n !== total) throw new Error(`received ${n} of ${total}`);
        }),
        mtChannel(`multithreading channel (${WORKERS} workers → main)`, WORKERS, PRODUCERS, MT_PER_PRODUCER, CAPACITY),
      ],
    },
    {
      name: 'shared_mutex_uncontended',
      description: `lock + release ${LOCKS / 1000}k times on one thread (no waiter)`,
      unit: 'locks/s',
      baseline: 'core Mutex',
      contenders: [
        onRuntime('skein SharedMutex', LOCKS, 'current', async () => {
          const m = new SharedMutex();
          for (let i = 0; i < LOCKS; i++) (await m.lock()).release();
        }),
        onRuntime('core Mutex', LOCKS, 'current', async () => {
          const m = new Mutex(undefined);
          for (let i = 0; i < LOCKS; i++) (await m.lock()).release();
        }),
        mtMutexUncontended('multithreading Mutex', LOCKS),
      ],
    },
    {
      name: 'shared_mutex_contended',
      description: `${CONTENDED_TASKS} tasks on ${WORKERS} workers × ${CONTENDED_EACH / 1000}k lock, bump the value, release`,
      unit: 'locks/s',
      baseline: 'core Mutex (8 tasks, one thread)',
      contenders: [
        onRuntime('skein SharedMutex (2 workers)', CONTENDED_TASKS * CONTENDED_EACH, 'multi', async () => {
          const m = new SharedMutex(0);
          await Promise.all(Array.from({ length: CONTENDED_TASKS }, () => spawn(bump, m, CONTENDED_EACH)));
        }),
        onRuntime('core Mutex (8 tasks, one thread)', CONTENDED_TASKS * CONTENDED_EACH, 'current', async () => {
          const m = new Mutex(0);
          await Promise.all(
            Array.from({ length: CONTENDED_TASKS }, () =>
              spawnLocal(async () => {
                for (let i = 0; i < CONTENDED_EACH; i++) {
                  const g = await m.lock();
                  g.value = g.value + 1;
                  g.release();
                }
              }),
            ),
          );
        }),
        mtMutexContended(`multithreading Mutex (${WORKERS} workers)`, WORKERS, CONTENDED_TASKS, CONTENDED_EACH),
      ],
    },
    {
      name: 'shared_semaphore',
      description: `${SEM_TASKS} tasks on ${WORKERS} workers × ${SEM_EACH} acquire/release of ${SEM_PERMITS} permits`,
      unit: 'acquires/s',
      baseline: 'core Semaphore (one thread)',
      contenders: [
        onRuntime('skein SharedSemaphore (2 workers)', SEM_TASKS * SEM_EACH, 'multi', async () => {
          const sem = new SharedSemaphore(SEM_PERMITS);
          await Promise.all(Array.from({ length: SEM_TASKS }, () => spawn(churn, sem, SEM_EACH)));
        }),
        onRuntime('core Semaphore (one thread)', SEM_TASKS * SEM_EACH, 'current', async () => {
          const sem = new Semaphore(SEM_PERMITS);
          await Promise.all(
            Array.from({ length: SEM_TASKS }, () =>
              spawnLocal(async () => {
                for (let i = 0; i < SEM_EACH; i++) {
                  const p = await sem.acquire();
                  if (i % 10 === 0) await yieldNow();
                  p.release();
                }
              }),
            ),
          );
        }),
      ],
    },
  ];
}
