import { describe, expect, it } from 'vitest';
import { Mutex, RwLock, Semaphore, sleep, spawn, yieldNow } from '@skein/core';
import { build, byName, captureLogs, until } from './helpers.js';

// With task tracking, locks and semaphores say who holds them and who waits on them, and a
// task parked on a lock whose holder finished without releasing it is reported 'stuck'.

/** Let spawned tasks run until they park. */
async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await yieldNow();
}

describe('resource tracking', () => {
  it('names the lock a task holds and the lock a parked task waits on', async () => {
    const rt = await build(true);
    await rt.blockOn(async () => {
      const m = new Mutex(0);
      let unlock!: () => void;
      const gate = new Promise<void>((r) => (unlock = r));
      const holderTask = spawn(async function holder() {
        using g = await m.lock();
        g.value++;
        await gate;
      });
      await settle();
      const waiterTask = spawn(async function waiter() {
        (await m.lock()).release();
      });
      await settle();
      let d = await rt.taskDump();
      const held = byName(d, 'holder').holding;
      expect(held).toHaveLength(1);
      expect(held![0]).toMatch(/^Mutex#\d+$/);
      expect(byName(d, 'waiter')).toMatchObject({ state: 'idle', waitingOnResource: held![0] });
      expect(byName(d, 'waiter').waitingOn).toMatch(/^Mutex\.lock at /);
      unlock();
      await holderTask;
      await waiterTask;
      d = await rt.taskDump();
      expect(d.filter((e) => e.holding !== undefined)).toEqual([]);
    });
  });

  it('counts semaphore permits and read locks per holder', async () => {
    const rt = await build(true);
    await rt.blockOn(async () => {
      const sem = new Semaphore(3);
      const lock = new RwLock(0);
      let done!: () => void;
      const gate = new Promise<void>((r) => (done = r));
      const ta = spawn(async function twoPermits() {
        using _p = await sem.acquire(2);
        using _r = await lock.read();
        await gate;
      });
      const tb = spawn(async function onePermit() {
        using _p = await sem.acquire();
        using _r = await lock.read();
        await gate;
      });
      await settle();
      const tc = spawn(async function semWaiter() {
        using _p = await sem.acquire();
      });
      const tw = spawn(async function writer() {
        using _g = await lock.write();
      });
      await settle();
      const d = await rt.taskDump();
      const [semName, lockName] = byName(d, 'twoPermits').holding!;
      expect(semName).toMatch(/^Semaphore#\d+$/);
      expect(lockName).toMatch(/^RwLock#\d+$/);
      expect(byName(d, 'onePermit').holding).toEqual([semName, lockName]);
      expect(byName(d, 'semWaiter').waitingOnResource).toBe(semName);
      expect(byName(d, 'writer').waitingOnResource).toBe(lockName);
      done();
      await Promise.all([ta, tb, tc, tw]);
      expect((await rt.taskDump()).filter((e) => e.holding !== undefined)).toEqual([]);
    });
  });

  it("warns 'stuck' for a task parked on a lock whose holder finished without releasing it", async () => {
    const { logger, lines } = captureLogs();
    const rt = await build(true, (b) => b.logger(logger).stuckThreshold(20));
    await rt.blockOn(async () => {
      const leaked = new Mutex(0);
      const busy = new Mutex(0);
      let guard: { release(): void } | undefined;
      await spawn(async function leaker() {
        guard = await leaked.lock();
      });
      const live = spawn(async function liveHolder() {
        using _g = await busy.lock();
        await sleep(60_000);
      });
      await settle();
      const blockedTask = spawn(async function blocked() {
        (await leaked.lock()).release();
      });
      const patientTask = spawn(async function patient() {
        (await busy.lock()).release();
      });
      const warning = await until(async () => lines.find((l) => l.kind === 'stuck'), 'a stuck warning');
      expect(warning.task).toBe('blocked');
      expect(warning.msg).toMatch(/on Mutex#\d+, held by task \d+ \(leaker\), which finished without releasing it/);
      const d = await rt.taskDump();
      expect(byName(d, 'blocked').stuck).toMatch(/held by task \d+ \(leaker\)/);
      expect(byName(d, 'patient').stuck).toBeUndefined();
      // Releasing the leaked guard from anywhere still hands the lock on.
      guard!.release();
      await blockedTask;
      live.abort();
      patientTask.abort();
    });
    expect(lines.filter((l) => l.kind === 'stuck').map((l) => l.task)).toEqual(['blocked']);
  });

  it('keeps a per-task poll-time distribution', async () => {
    const rt = await build(true);
    await rt.blockOn(async () => {
      const h = spawn(async function yielder() {
        for (let i = 0; i < 9; i++) await yieldNow();
        await sleep(60_000);
      });
      await until(async () => (byName(await rt.taskDump(), 'yielder').polls === 10 ? true : undefined), 'ten polls');
      const e = byName(await rt.taskDump(), 'yielder');
      const t = e.pollTimes!;
      expect(t.count).toBe(10);
      expect(t.maxUs).toBeCloseTo(e.longestPollMs! * 1000, 6);
      expect(t.minUs).toBeLessThanOrEqual(t.meanUs);
      expect(t.meanUs).toBeLessThanOrEqual(t.maxUs);
      const us = t.percentilesUs.map(([, v]) => v);
      expect(us).toEqual([...us].sort((x, y) => x - y));
      expect(t.percentilesUs.map(([p]) => p)).toEqual([0, 50, 90, 99, 100]);
      h.abort();
    });
  });

  it('records nothing without tracking', async () => {
    const rt = await build(false);
    await rt.blockOn(async () => {
      const m = new Mutex(0);
      const h = spawn(async function holder() {
        using _g = await m.lock();
        await sleep(60_000);
      });
      await settle();
      expect(byName(await rt.taskDump(), 'holder')).toEqual({
        id: h.id,
        name: 'holder',
        state: 'running',
        thread: 'main',
        worker: 'main',
      });
      h.abort();
    });
  });
});
