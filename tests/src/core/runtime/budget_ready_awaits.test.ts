/**
 * The cooperative budget on every ready path: each public runtime await charges the budget
 * even when it completes at once, with a value or with an error, so a task looping on it
 * lets timers, immediates and I/O run. One case per await; each loop stops as soon as the
 * foreign callbacks have all run and gives up after far more iterations than they need.
 */
import { describe, it, expect } from 'vitest';
import { readFile as readFileCb } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  Runtime,
  Semaphore,
  Notify,
  OnceCell,
  Barrier,
  Mutex,
  RwLock,
  CancellationToken,
  TaskTracker,
  JoinSet,
  mpsc,
  oneshot,
  watch,
  broadcast,
  spawn,
  select,
  join,
  tryJoin,
  timeout,
  sleep,
  sleepUntil,
  Instant,
} from '@skein/core';

const LIMIT = 100_000;
const thisFile = fileURLToPath(import.meta.url);

/** An await that is ready every time it is called (made inside the runtime). */
type Ready = () => Promise<unknown>;

const swallow = (p: Promise<unknown>): Promise<unknown> => p.then(undefined, (err: unknown) => err);

const cases: [string, () => Ready | Promise<Ready>][] = [
  [
    'watch changed() on a closed channel',
    () => {
      const [tx, rx] = watch.channel(0);
      tx.close();
      return () => swallow(rx.changed());
    },
  ],
  [
    'watch waitFor(pred) when pred already holds',
    () => {
      const [tx, rx] = watch.channel(1);
      void tx;
      return () => rx.waitFor((v) => v === 1);
    },
  ],
  [
    'WatchSender.closed() with no receivers',
    () => {
      const [tx, rx] = watch.channel(0);
      rx.close();
      return () => tx.closed();
    },
  ],
  [
    'BroadcastSender.closed() with no receivers',
    () => {
      const [tx, rx] = broadcast.channel<number>(1);
      rx.close();
      return () => tx.closed();
    },
  ],
  [
    'broadcast recv() on a closed channel',
    () => {
      const [tx, rx] = broadcast.channel<number>(1);
      tx.close();
      return () => swallow(rx.recv());
    },
  ],
  ['select over ready thunks', () => () => select({ a: () => 1, b: () => Promise.resolve(2) })],
  ['select over ready thunks, biased', () => () => select({ a: () => 1, b: () => 2 }, { biased: true })],
  ['join over ready branches', () => () => join(() => 1, Promise.resolve(2))],
  ['join with no branch', () => () => join()],
  ['tryJoin over ready branches', () => () => tryJoin(() => 1, Promise.resolve(2))],
  ['timeout on a ready promise', () => () => timeout(1000, Promise.resolve(1))],
  ['timeout on a ready thunk', () => () => timeout(1000, () => 1)],
  [
    'mpsc recv() on an ended channel',
    () => {
      const [tx, rx] = mpsc.channel<number>(1);
      tx.close();
      return () => rx.recv();
    },
  ],
  [
    'mpsc recvMany(buf, 0)',
    () => {
      const [, rx] = mpsc.channel<number>(1);
      return () => rx.recvMany([], 0);
    },
  ],
  [
    'mpsc send() on a closed channel',
    () => {
      const [tx, rx] = mpsc.channel<number>(1);
      rx.close();
      return () => swallow(tx.send(1));
    },
  ],
  [
    'mpsc reserve() on a closed channel',
    () => {
      const [tx, rx] = mpsc.channel<number>(1);
      rx.close();
      return () => swallow(tx.reserve());
    },
  ],
  [
    'mpsc sendTimeout() on a closed channel',
    () => {
      const [tx, rx] = mpsc.channel<number>(1);
      rx.close();
      return () => swallow(tx.sendTimeout(1, 10));
    },
  ],
  [
    'mpsc Sender.closed() once the receiver closed',
    () => {
      const [tx, rx] = mpsc.channel<number>(1);
      rx.close();
      return () => tx.closed();
    },
  ],
  [
    'unbounded Sender.closed() once the receiver closed',
    () => {
      const [tx, rx] = mpsc.unboundedChannel<number>();
      rx.close();
      return () => tx.closed();
    },
  ],
  [
    'oneshot receive after the sender closed',
    () => {
      const [tx, rx] = oneshot.channel<number>();
      tx.close();
      // `rx.then` called by the task itself: an `await rx` calls it from a thenable job, which
      // skein's promise hooks (Node 20/22) don't run in the task's frame.
      return () => swallow(rx.then((v) => v));
    },
  ],
  [
    'OneshotSender.closed() once the receiver closed',
    () => {
      const [tx, rx] = oneshot.channel<number>();
      rx.close();
      return () => tx.closed();
    },
  ],
  [
    'Semaphore.acquire() on a closed semaphore',
    () => {
      const sem = new Semaphore(1);
      sem.close();
      return () => swallow(sem.acquire());
    },
  ],
  [
    'Semaphore.acquire() with permits free',
    () => {
      const sem = new Semaphore(1);
      return () => sem.acquire().then((p) => p.release());
    },
  ],
  [
    'Mutex.lock() when free',
    () => {
      const m = new Mutex(0);
      return () => m.lock().then((g) => g.release());
    },
  ],
  [
    'RwLock.read() when free',
    () => {
      const l = new RwLock(0);
      return () => l.read().then((g) => g.release());
    },
  ],
  [
    'Notify.notified() with a stored permit',
    () => {
      const n = new Notify();
      return () => {
        n.notifyOne();
        return n.notified();
      };
    },
  ],
  [
    'OnceCell.getOrInit() when set',
    () => {
      const c = new OnceCell<number>();
      c.set(1);
      return () => c.getOrInit(() => 2);
    },
  ],
  [
    'OnceCell.getOrInit() taking the free init slot (its initializer fails every time)',
    () => {
      const c = new OnceCell<number>();
      return () =>
        swallow(
          c.getOrInit(() => {
            throw new Error('not yet');
          }),
        );
    },
  ],
  [
    'Barrier(1).wait()',
    () => {
      const b = new Barrier(1);
      return () => b.wait();
    },
  ],
  [
    'CancellationToken.runUntilCancelled() on a cancelled token',
    () => {
      const t = new CancellationToken();
      t.cancel();
      return () => t.runUntilCancelled(() => 1);
    },
  ],
  [
    'TaskTracker.wait() when closed and empty',
    () => {
      const t = new TaskTracker();
      t.close();
      return () => t.wait();
    },
  ],
  [
    'JoinSet.joinNext() on an empty set',
    () => {
      const s = new JoinSet<number>();
      return () => s.joinNext();
    },
  ],
  [
    'a finished JoinHandle',
    async () => {
      const h = spawn(() => 1);
      await h;
      return () => h;
    },
  ],
  ['sleep(0) on a running clock', () => () => sleep(0)],
  [
    'sleepUntil(a past instant) on a running clock',
    () => {
      const past = Instant.now() - 10;
      return () => sleepUntil(past);
    },
  ],
];

describe('cooperative budget on ready paths', () => {
  it.each(cases)('a loop on %s lets setImmediate, setTimeout(0) and fs callbacks run', async (_name, make) => {
    const rt = await Runtime.currentThread();
    const result = await rt.blockOn(async () => {
      const ready = await make();
      let i = 0;
      let immediate = -1;
      let timer = -1;
      let io = -1;
      setImmediate(() => {
        immediate = i;
      });
      setTimeout(() => {
        timer = i;
      }, 0);
      readFileCb(thisFile, () => {
        io = i;
      });
      while ((immediate < 0 || timer < 0 || io < 0) && i < LIMIT) {
        await ready();
        i++;
      }
      return { immediate, timer, io, i };
    });
    await rt.shutdown();
    expect(result.immediate).toBeGreaterThanOrEqual(0);
    expect(result.timer).toBeGreaterThanOrEqual(0);
    expect(result.io).toBeGreaterThanOrEqual(0);
    expect(result.i).toBeLessThan(LIMIT);
  });
});
