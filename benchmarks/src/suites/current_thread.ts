/**
 * Tokio's scheduler benches (benches/rt_current_thread.rs) on the current-thread flavour,
 * each beside a raw-Promise baseline doing the same shape of work with no runtime.
 */
import { JoinSet, spawn, yieldNow, oneshot, type JoinHandle } from '@skein/core';
import { onRuntime } from './on_runtime.js';
import type { Bench, Contender } from '../harness.js';

const SPAWN_MANY = 1_000_000;
/**
 * Spawned and awaited in batches, so the bench measures spawn + await, not a 1M-handle
 * heap. Tokio's `spawn_many_local` (benches/rt_current_thread.rs) spawns 1000 tasks and
 * then awaits them, per iteration; that shape is the `spawn_many` row. The 10k row keeps
 * ten times as many handles alive at once, which is mostly more work for the young-
 * generation GC (every live task and handle is copied at each scavenge).
 */
const TOKIO_BATCH = 1000;
const BIG_BATCH = 10_000;
const YIELD_TASKS = 1000;
const YIELDS = 1000;
const PING_PONG = 100_000;
const CHAIN = 10_000;

function rawImmediate(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/**
 * The `spawn_many` loop on a runtime with task tracking on (`Builder.taskTracking`): what
 * recording spawn sites, poll times and states costs per task (issue target: ≥ 0.6× the
 * untracked row). Its own runtime, so the untracked rows never run on a tracked one.
 */
function trackingOn(batch: number): Contender {
  return {
    name: 'skein, tracking on',
    ops: SPAWN_MANY,
    ...onRuntime(spawnAndAwait(batch), (b) => b.taskTracking(true).logger('silent')),
  };
}

/** The spawn_many loop: `batch` spawns of tiny tasks, then `batch` awaits, 1M in all. */
function spawnAndAwait(batch: number): () => Promise<void> {
  return async () => {
    const hs: JoinHandle<number>[] = new Array(batch);
    for (let k = 0; k < SPAWN_MANY; k += batch) {
      for (let i = 0; i < batch; i++) hs[i] = spawn(() => i);
      for (let i = 0; i < batch; i++) await hs[i];
    }
  };
}

/** The baseline of the spawn benches: the same loop with plain async calls, no runtime. */
function rawAsyncCalls(batch: number): Contender {
  return {
    name: 'raw async call',
    ops: SPAWN_MANY,
    run: async () => {
      const ps: Promise<number>[] = new Array(batch);
      for (let k = 0; k < SPAWN_MANY; k += batch) {
        for (let i = 0; i < batch; i++) ps[i] = (async () => i)();
        for (let i = 0; i < batch; i++) await ps[i];
      }
    },
  };
}

/**
 * 1M spawn + await of tiny tasks, `batch` spawns and then `batch` awaits at a time. The
 * target (tasks/s) is the for Tokio's shape; the 10k shape keeps the older 1M.
 */
function spawnMany(name: string, batch: number, target: number): Bench {
  return {
    name,
    description: `${SPAWN_MANY / 1e6}M spawn + await of tiny tasks (batches of ${batch / 1000}k${batch === TOKIO_BATCH ? ", as in Tokio's bench" : ''})`,
    unit: 'tasks/s',
    baseline: 'raw async call',
    target: { value: target, note: `≥ ${target / 1e6}M tasks/s (Tokio native: 4.3M/s)` },
    contenders: [
      {
        name: 'skein current_thread',
        ops: SPAWN_MANY,
        ...onRuntime(spawnAndAwait(batch)),
      },
      // What the JoinHandle's `constructor` getter buys (join_handle.ts): the same loop,
      // but each await goes through `then`, as it would on any other thenable.
      ...(batch === TOKIO_BATCH
        ? [
            {
              name: 'skein, await through then()',
              ops: SPAWN_MANY,
              ...onRuntime(async () => {
                const hs: JoinHandle<number>[] = new Array(batch);
                for (let k = 0; k < SPAWN_MANY; k += batch) {
                  for (let i = 0; i < batch; i++) hs[i] = spawn(() => i);
                  for (let i = 0; i < batch; i++) {
                    const h = hs[i]!;
                    await { then: (ok: (v: number) => void, err: (e: unknown) => void) => h.then(ok, err) };
                  }
                }
              }),
            },
            trackingOn(batch),
          ]
        : []),
      rawAsyncCalls(batch),
    ],
  };
}

/** The current-thread benches. */
export function currentThreadBenches(): Bench[] {
  return [
    spawnMany('spawn_many', TOKIO_BATCH, 2_000_000),
    spawnMany('spawn_many_10k', BIG_BATCH, 1_000_000),
    {
      name: 'join_set',
      description: `${SPAWN_MANY / 1e6}M JoinSet spawn + joinNext of tiny tasks (batches of ${TOKIO_BATCH / 1000}k)`,
      unit: 'tasks/s',
      baseline: 'raw async call',
      contenders: [
        {
          name: 'skein JoinSet',
          ops: SPAWN_MANY,
          ...onRuntime(async () => {
            const set = new JoinSet<number>();
            for (let k = 0; k < SPAWN_MANY; k += TOKIO_BATCH) {
              for (let i = 0; i < TOKIO_BATCH; i++) set.spawn(() => i);
              while ((await set.joinNext()) !== undefined);
            }
          }),
        },
        rawAsyncCalls(TOKIO_BATCH),
      ],
    },
    {
      name: 'yield_many',
      description: `${YIELD_TASKS} tasks × ${YIELDS} yieldNow`,
      unit: 'yields/s',
      baseline: 'raw setImmediate',
      contenders: [
        {
          name: 'skein current_thread',
          ops: YIELD_TASKS * YIELDS,
          ...onRuntime(async () => {
            const hs: JoinHandle<void>[] = [];
            for (let t = 0; t < YIELD_TASKS; t++)
              hs.push(
                spawn(async () => {
                  for (let i = 0; i < YIELDS; i++) await yieldNow();
                }),
              );
            for (const h of hs) await h;
          }),
        },
        {
          name: 'raw setImmediate',
          ops: YIELD_TASKS * YIELDS,
          run: async () => {
            const ps: Promise<void>[] = [];
            for (let t = 0; t < YIELD_TASKS; t++)
              ps.push(
                (async () => {
                  for (let i = 0; i < YIELDS; i++) await rawImmediate();
                })(),
              );
            await Promise.all(ps);
          },
        },
      ],
    },
    {
      name: 'ping_pong',
      description: `${PING_PONG / 1000}k × (spawn + oneshot round trip)`,
      unit: 'round trips/s',
      baseline: 'raw promise handoff',
      contenders: [
        {
          name: 'skein current_thread',
          ops: PING_PONG,
          ...onRuntime(async () => {
            for (let i = 0; i < PING_PONG; i++) {
              const [tx, rx] = oneshot.channel<number>();
              spawn(() => {
                tx.send(i);
              });
              await rx;
            }
          }),
        },
        {
          name: 'raw promise handoff',
          ops: PING_PONG,
          run: async () => {
            for (let i = 0; i < PING_PONG; i++) {
              let send!: (v: number) => void;
              const rx = new Promise<number>((r) => {
                send = r;
              });
              void (async () => {
                send(i);
              })();
              await rx;
            }
          },
        },
      ],
    },
    {
      name: 'chained_spawn',
      description: `a chain of ${CHAIN / 1000}k nested spawns`,
      unit: 'spawns/s',
      baseline: 'raw nested async',
      contenders: [
        {
          name: 'skein current_thread',
          ops: CHAIN,
          ...onRuntime(async () => {
            const [tx, rx] = oneshot.channel<void>();
            const iter = (n: number): void => {
              if (n === 0) tx.send();
              else spawn(() => iter(n - 1));
            };
            spawn(() => iter(CHAIN));
            await rx;
          }),
        },
        {
          name: 'raw nested async',
          ops: CHAIN,
          run: async () => {
            await new Promise<void>((done) => {
              const iter = (n: number): void => {
                if (n === 0) done();
                // Each link is queued, not called: a direct call would recurse 10k deep.
                else void Promise.resolve(n - 1).then(iter);
              };
              void Promise.resolve(CHAIN).then(iter);
            });
          },
        },
      ],
    },
  ];
}
