import { afterEach, describe, expect, it } from 'vitest';
import { Runtime } from '@skein/core';
import {
  serveConsole,
  type ConsoleDumpEntry,
  type ConsoleRuntime,
  type ResourceRow,
  type TaskDetail,
  type TaskRow,
  type Warning,
} from '@skein/console';
import { getJson, ticker } from './fixtures/helpers.js';

// Core doesn't track tasks yet. These tests put the tracked fields the console reads
// (README: "Fields the console expects from task tracking") onto a real runtime's dump, to
// check the console shows them once core provides them.

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f();
});

/** A real current-thread runtime whose dump entries get `extra(name)` merged in. */
async function tracked(
  extra: (name: string) => Partial<ConsoleDumpEntry>,
): Promise<{ rt: Runtime; view: ConsoleRuntime }> {
  const rt = await Runtime.builder().currentThread().logger('silent').build();
  cleanup.push(() => rt.shutdown());
  const view: ConsoleRuntime = {
    flavor: rt.flavor,
    metrics: () => rt.metrics(),
    get isShutdown() {
      return rt.isShutdown;
    },
    taskDump: async () => (await rt.taskDump()).map((e) => ({ ...e, ...extra(e.name) })),
  };
  return { rt, view };
}

async function serve(view: ConsoleRuntime) {
  const c = await serveConsole(view, { port: 0, longPollThresholdMs: 50, stuckAfterMs: 1000 });
  cleanup.push(() => c.close());
  return c.url;
}

const pollTimes = {
  count: 100,
  minUs: 5,
  maxUs: 900,
  meanUs: 40,
  percentilesUs: [
    [0, 5],
    [50, 20],
    [90, 80],
    [99, 400],
    [100, 900],
  ] as [number, number][],
};

describe('@skein/console with task tracking', () => {
  it('fills the columns from tracked dump fields, and the total from busy + scheduled + idle', async () => {
    const { rt, view } = await tracked(() => ({
      spawnSite: 'app.ts:12',
      waitingOn: 'sleep at app.ts:14',
      polls: 7,
      busyMs: 3,
      scheduledMs: 1,
      idleMs: 20,
    }));
    const h = ticker(rt, 'worker-loop');
    const row = (await getJson<TaskRow[]>(await serve(view), 'api/tasks')).body.find((t) => t.id === h.id)!;
    expect(row).toMatchObject({
      name: 'worker-loop',
      spawnSite: 'app.ts:12',
      waitingOn: 'sleep at app.ts:14',
      polls: 7,
      busyMs: 3,
      scheduledMs: 1,
      idleMs: 20,
      totalMs: 24,
      tracked: true,
    });
  });

  it("reads API.md's `thread` over today's `worker`", async () => {
    const { rt, view } = await tracked(() => ({ thread: 1 }));
    const h = ticker(rt, 'moved');
    expect((await getJson<TaskRow[]>(await serve(view), 'api/tasks')).body.find((t) => t.id === h.id)!.thread).toBe(1);
  });

  it("shows a task's own poll-time histogram in its detail", async () => {
    const { rt, view } = await tracked(() => ({ polls: 100, pollTimes }));
    const h = ticker(rt, 'measured');
    const d = (await getJson<TaskDetail>(await serve(view), `api/tasks/${h.id}`)).body;
    expect(d.pollTimes).toEqual(pollTimes);
    expect(d.pollTimeBuckets.reduce((n, b) => n + b.count, 0)).toBe(100);
    // Half the polls at or under 20 µs, by the percentile points above.
    const le = (us: number) =>
      d.pollTimeBuckets.filter((b) => b.leUs !== null && b.leUs <= us).reduce((n, b) => n + b.count, 0);
    expect(le(25)).toBeGreaterThanOrEqual(50);
    expect(le(10)).toBeLessThan(50);
    expect(le(1000)).toBe(100);
  });

  it('warns of long polls, tasks that never yielded, and tasks stuck on foreign promises', async () => {
    const fields: Record<string, Partial<ConsoleDumpEntry>> = {
      slow: { polls: 9, busyMs: 300, longestPollMs: 120 },
      hog: { state: 'running', polls: 1, busyMs: 400 },
      stuck: { state: 'idle', polls: 2, idleMs: 5000 },
      foreign: { state: 'idle', polls: 2, idleMs: 5000, waitingOn: 'foreign promise' },
      parked: { state: 'idle', polls: 2, idleMs: 5000, waitingOn: 'mpsc.recv at app.ts:3' },
      fine: { polls: 9, busyMs: 1, longestPollMs: 0.5 },
    };
    const { rt, view } = await tracked((name) => fields[name] ?? {});
    const ids = Object.fromEntries(Object.keys(fields).map((n) => [n, ticker(rt, n).id]));
    const warnings = (await getJson<Warning[]>(await serve(view), 'api/warnings')).body;
    expect(warnings.map((w) => [w.taskId, w.kind]).sort()).toEqual(
      [
        [ids.slow, 'long-poll'],
        [ids.hog, 'never-yielded'],
        [ids.stuck, 'stuck'],
        [ids.foreign, 'stuck'],
      ].sort(),
    );
    expect(warnings.find((w) => w.kind === 'long-poll')!.message).toMatch(/120 ms in one poll \(threshold 50 ms\)/);
  });

  it('groups resources by what tasks wait on and hold', async () => {
    const fields: Record<string, Partial<ConsoleDumpEntry>> = {
      holder: { polls: 1, holding: ['Mutex#3'] },
      waiterA: { polls: 1, waitingOn: 'Mutex#3.lock at app.ts:10' },
      waiterB: { polls: 1, waitingOn: 'Mutex#3.lock at app.ts:20' },
      reader: { polls: 1, waitingOn: 'mpsc.recv at app.ts:30' },
      napper: { polls: 1, waitingOn: 'sleep at app.ts:40' },
    };
    const { rt, view } = await tracked((name) => fields[name] ?? {});
    const ids = Object.fromEntries(Object.keys(fields).map((n) => [n, ticker(rt, n).id]));
    const resources = (await getJson<ResourceRow[]>(await serve(view), 'api/resources')).body;
    const byName = Object.fromEntries(resources.map((r) => [r.name, r]));
    expect(byName['Mutex#3']).toEqual({
      kind: 'lock',
      name: 'Mutex#3',
      thread: 'main',
      holders: [ids.holder],
      waiters: [ids.waiterA, ids.waiterB].sort((a, b) => a! - b!),
    });
    expect(byName.mpsc).toMatchObject({ kind: 'channel', waiters: [ids.reader] });
    expect(byName.sleep).toMatchObject({ kind: 'timer', waiters: [ids.napper] });
  });
});
