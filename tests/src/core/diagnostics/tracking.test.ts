import { describe, expect, it } from 'vitest';
import {
  Mutex,
  Runtime,
  mpsc,
  sleep,
  spawn,
  spawnLocal,
  taskBuilder,
  type JoinHandle,
  type TaskDumpEntry,
} from '@skein/core';
import { build, byName, captureLogs, cleanup, until } from './helpers.js';

/** Spin the thread for `ms` without yielding (a long poll). */
function spin(ms: number): void {
  const end = performance.now() + ms;
  while (performance.now() < end);
}

describe('task tracking on the current-thread runtime', () => {
  it('without tracking, a dump has id, name, state and thread (alias worker) only', async () => {
    const rt = await build(false);
    await rt.blockOn(async () => {
      const h = spawn(async function napper() {
        await sleep(60_000);
      });
      await sleep(1);
      const e = byName(await rt.taskDump(), 'napper');
      expect(e).toEqual({ id: h.id, name: 'napper', state: 'running', thread: 'main', worker: 'main' });
      h.abort();
    });
  });

  it('records spawn sites, times and what each parked task waits on, and where', async () => {
    const rt = await build(true);
    await rt.blockOn(async () => {
      const m = new Mutex(0);
      const guard = await m.lock();
      const [, rx] = mpsc.channel<number>(1);
      const sleeping = spawn(async function sleeper() {
        await sleep(60_000);
      });
      const hs = [
        spawn(async function locker() {
          await m.lock();
        }),
        spawn(async function receiver() {
          await rx.recv();
        }),
        sleeping,
        spawn(async function joiner() {
          await sleeping;
        }),
        spawn(async function foreign() {
          await new Promise(() => undefined);
        }),
      ];
      await sleep(5);
      const d = await rt.taskDump();
      const site = /^tests\/src\/core\/diagnostics\/tracking\.test\.ts:\d+$/;
      for (const name of ['locker', 'receiver', 'sleeper', 'joiner', 'foreign']) {
        const e = byName(d, name);
        expect(e.thread).toBe('main');
        expect(e.worker).toBe('main');
        expect(e.state).toBe('idle');
        expect(e.spawnSite).toMatch(site);
        expect(e.polls).toBe(1);
        expect(e.busyMs).toBeGreaterThanOrEqual(0);
        expect(e.idleMs).toBeGreaterThan(0);
        expect(e.totalMs).toBeGreaterThanOrEqual(e.busyMs! + e.idleMs!);
      }
      expect(byName(d, 'locker').waitingOn).toMatch(
        /^Mutex\.lock at tests\/src\/core\/diagnostics\/tracking\.test\.ts:\d+$/,
      );
      expect(byName(d, 'receiver').waitingOn).toMatch(
        /^mpsc\.recv at tests\/src\/core\/diagnostics\/tracking\.test\.ts:\d+$/,
      );
      expect(byName(d, 'sleeper').waitingOn).toMatch(
        /^sleep at tests\/src\/core\/diagnostics\/tracking\.test\.ts:\d+$/,
      );
      expect(byName(d, 'joiner').waitingOn).toBe('JoinHandle');
      expect(byName(d, 'foreign').waitingOn).toBe('foreign promise');
      // Distinct spawn lines.
      expect(new Set(['locker', 'receiver', 'sleeper'].map((n) => byName(d, n).spawnSite)).size).toBe(3);
      guard.release();
      await hs[0];
      for (const h of hs) h.abort();
    });
  });

  it('counts wakes and moves a task between idle, scheduled and busy', async () => {
    const rt = await build(true);
    await rt.blockOn(async () => {
      const [tx, rx] = mpsc.channel<number>(8);
      const h = spawn(async function consumer() {
        while ((await rx.recv()) !== undefined);
      });
      await sleep(1);
      for (let i = 0; i < 3; i++) {
        await tx.send(i);
        await sleep(1);
      }
      const e = byName(await rt.taskDump(), 'consumer');
      expect(e.wakes).toBe(3);
      expect(e.polls).toBe(4);
      expect(e.scheduledMs).toBeGreaterThan(0);
      tx.close();
      await h;
    });
  });

  it('shows tasks not polled yet, and a task in its first poll, with their spawn sites', async () => {
    const rt = await build(true);
    await rt.blockOn(async () => {
      const site = /^tests\/src\/core\/diagnostics\/tracking\.test\.ts:\d+$/;
      const queued = [1, 2, 3].map(() =>
        spawn(async function waiting() {
          await sleep(60_000);
        }),
      );
      let own: TaskDumpEntry | undefined;
      const inFirstPoll = spawn(async function dumper() {
        own = byName(await rt.taskDump(), 'dumper');
      });
      // None of them has been polled yet.
      const before = await rt.taskDump();
      const entry = (d: TaskDumpEntry[], h: JoinHandle<unknown>) => d.find((e) => e.id === h.id)!;
      for (const h of queued) {
        expect(entry(before, h)).toMatchObject({ state: 'queued', polls: 0, wakes: 0, busyMs: 0 });
        expect(entry(before, h).spawnSite).toMatch(site);
      }
      await inFirstPoll;
      expect(own).toMatchObject({ state: 'running', polls: 0 });
      expect(own!.spawnSite).toMatch(site);
      await sleep(5);
      const after = await rt.taskDump();
      for (const h of queued) {
        expect(entry(after, h)).toMatchObject({ state: 'idle', polls: 1, spawnSite: entry(before, h).spawnSite });
        expect(entry(after, h).waitingOn).toMatch(/^sleep at tests\/src\/core\/diagnostics\/tracking\.test\.ts:\d+$/);
      }
      for (const h of queued) h.abort();
    });
  });

  it('reads SKEIN_TRACKING=1 at build()', async () => {
    const before = process.env.SKEIN_TRACKING;
    process.env.SKEIN_TRACKING = '1';
    try {
      const rt = await Runtime.builder().currentThread().logger('silent').build();
      cleanup.push(() => rt.shutdown());
      await rt.blockOn(async () => {
        const h = spawn(async function napper() {
          await sleep(60_000);
        });
        await sleep(1);
        expect(byName(await rt.taskDump(), 'napper').polls).toBe(1);
        h.abort();
      });
      process.env.SKEIN_TRACKING = 'maybe';
      await expect(Runtime.builder().build()).rejects.toMatchObject({ code: 'ERR_SKEIN_INVALID_ENV' });
    } finally {
      if (before === undefined) delete process.env.SKEIN_TRACKING;
      else process.env.SKEIN_TRACKING = before;
    }
  });

  it('names tasks through taskBuilder(), tracked or not', async () => {
    for (const tracking of [false, true]) {
      const rt = await build(tracking);
      await rt.blockOn(async () => {
        const a = taskBuilder()
          .name('acceptor')
          .spawn(async () => {
            await sleep(60_000);
          });
        const b = taskBuilder()
          .name('local one')
          .spawnLocal(async () => {
            await sleep(60_000);
          });
        await sleep(1);
        const d = await rt.taskDump();
        expect(d.find((e) => e.id === a.id)!.name).toBe('acceptor');
        expect(d.find((e) => e.id === b.id)!.name).toBe('local one');
        a.abort();
        b.abort();
      });
    }
    expect(() => taskBuilder().name(3 as unknown as string)).toThrow(TypeError);
    expect(() => taskBuilder().spawn(() => 1)).toThrow(expect.objectContaining({ code: 'ERR_SKEIN_NO_RUNTIME' }));
  });

  it('validates the thresholds', () => {
    expect(() => Runtime.builder().longPollThreshold(-1)).toThrow(RangeError);
    expect(() => Runtime.builder().stuckThreshold(Number.NaN)).toThrow(RangeError);
    expect(() => Runtime.builder().taskTracking('yes' as unknown as boolean)).toThrow(TypeError);
  });
});

describe('task tracking warnings', () => {
  it("logs a 'long-poll' once per task, with its id, name and spawn site", async () => {
    const { logger, lines } = captureLogs();
    const rt = await build(true, (b) => b.logger(logger).longPollThreshold(2));
    await rt.blockOn(async () => {
      await spawn(async function hog() {
        spin(10);
        await sleep(1);
        spin(10);
      });
      await spawn(async function polite() {
        await sleep(1);
      });
    });
    // Once for hog, though two of its polls were long (polite's one short poll may pass the
    // threshold too on a loaded machine: it isn't checked).
    const warns = lines.filter((l) => l.kind === 'long-poll' && l.task === 'hog');
    expect(warns).toHaveLength(1);
    expect(warns[0]).toMatchObject({ level: 40, task: 'hog', worker: 'main' });
    expect(warns[0]!.taskId).toEqual(expect.any(Number));
    expect(warns[0]!.spawnSite).toMatch(/tracking\.test\.ts:\d+$/);
    expect(String(warns[0]!.msg)).toContain('hog');
  });

  it("logs 'never-yielded' for a poll over a second", async () => {
    const { logger, lines } = captureLogs();
    const rt = await build(true, (b) => b.logger(logger));
    await rt.blockOn(() =>
      spawn(async function stubborn() {
        spin(1100);
      }),
    );
    expect(lines.filter((l) => l.kind === 'never-yielded').map((l) => l.task)).toEqual(['stubborn']);
    expect(lines.filter((l) => l.kind === 'long-poll')).toEqual([]);
  });

  it("logs 'stuck' for a task parked on a foreign promise past the threshold, not for one on a runtime await", async () => {
    const { logger, lines } = captureLogs();
    const rt = await build(true, (b) => b.logger(logger).stuckThreshold(20));
    await rt.blockOn(async () => {
      let release!: () => void;
      const h = spawn(async function waitsOnForeign() {
        await new Promise<void>((r) => (release = r));
      });
      const napper = spawn(async function napper() {
        await sleep(60_000);
      });
      await until(async () => lines.find((l) => l.kind === 'stuck'), 'a stuck warning');
      release();
      await h;
      napper.abort();
    });
    expect(lines.filter((l) => l.kind === 'stuck').map((l) => l.task)).toEqual(['waitsOnForeign']);
  });

  it('rate-limits warnings', async () => {
    const { logger, lines } = captureLogs();
    const rt = await build(true, (b) => b.logger(logger).longPollThreshold(0.5));
    await rt.blockOn(async () => {
      const hs = Array.from({ length: 30 }, () => spawnLocal(async () => spin(1)));
      await Promise.all(hs);
    });
    const warns = lines.filter((l) => l.kind === 'long-poll');
    expect(warns.length).toBeGreaterThan(0);
    expect(warns.length).toBeLessThanOrEqual(10 * 2);
    expect(warns.length).toBeLessThan(30);
  });
});
