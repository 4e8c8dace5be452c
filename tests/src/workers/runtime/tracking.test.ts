import { describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Runtime, type TaskDumpEntry } from '@skein/core';
import { holdWorker, localSpawner, lockHolder, trackedNapper } from './fixtures/tracking.js';

async function multi(tracking: boolean): Promise<Runtime> {
  return Runtime.builder().multiThread().workerThreads(2).logger('silent').taskTracking(tracking).build();
}

/** Dumps until `pred` holds for the dump (tasks reach their worker asynchronously). */
async function dumpUntil(rt: Runtime, pred: (d: TaskDumpEntry[]) => boolean): Promise<TaskDumpEntry[]> {
  for (let i = 0; i < 1000; i++) {
    const d = await rt.taskDump();
    if (pred(d)) return d;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error('the dump never showed the expected tasks');
}

const FIXTURE = /^tests\/src\/workers\/runtime\/fixtures\/tracking\.ts:\d+$/;

describe('task tracking on worker threads', () => {
  it('without tracking, worker entries have id, name, state and thread (alias worker)', async () => {
    const rt = await multi(false);
    try {
      const h = rt.spawn(trackedNapper, 60_000);
      const d = await dumpUntil(rt, (d) => d.some((e) => e.id === h.id && e.state === 'running'));
      const e = d.find((x) => x.id === h.id)!;
      expect([0, 1]).toContain(e.thread);
      expect(e.worker).toBe(e.thread);
      expect(e.polls).toBeUndefined();
      expect(e.waitingOn).toBeUndefined();
      h.abort();
    } finally {
      await rt.shutdown();
    }
  });

  it('with tracking, worker tasks carry the same fields as main-thread ones', async () => {
    const rt = await multi(true);
    try {
      const nap = rt.spawn(trackedNapper, 60_000);
      const spawner = rt.spawn(localSpawner, 60_000);
      const d = await dumpUntil(rt, (d) =>
        ['trackedNapper', 'localSpawner', 'localChild'].every((n) => d.some((e) => e.name === n && e.state === 'idle')),
      );
      const napper = d.find((e) => e.id === nap.id)!;
      expect([0, 1]).toContain(napper.thread);
      expect(napper.worker).toBe(napper.thread);
      expect(napper.waitingOn).toMatch(/^sleep at tests\/src\/workers\/runtime\/fixtures\/tracking\.ts:\d+$/);
      expect(napper.polls).toBe(1);
      expect(napper.idleMs).toBeGreaterThan(0);
      expect(napper.totalMs).toBeGreaterThan(0);
      expect(d.find((e) => e.id === spawner.id)!.waitingOn).toBe('JoinHandle');
      const child = d.find((e) => e.name === 'localChild')!;
      expect(child.spawnSite).toMatch(FIXTURE);
      expect(child.waitingOn).toMatch(/^sleep at /);
      expect(child.thread).toBe(d.find((e) => e.id === spawner.id)!.thread);
      nap.abort();
      spawner.abort();
    } finally {
      await rt.shutdown();
    }
  });

  it('names the lock a worker task holds and the one its neighbour waits on', async () => {
    const rt = await multi(true);
    try {
      const h = rt.spawn(lockHolder, 60_000);
      const d = await dumpUntil(rt, (d) => d.some((e) => e.name === 'lockWaiter' && e.state === 'idle'));
      const holder = d.find((e) => e.id === h.id)!;
      const waiter = d.find((e) => e.name === 'lockWaiter')!;
      expect(holder.holding).toEqual([expect.stringMatching(/^Mutex#\d+$/)]);
      expect(waiter.waitingOnResource).toBe(holder.holding![0]);
      expect(waiter.thread).toBe(holder.thread);
      h.abort();
    } finally {
      await rt.shutdown();
    }
  });

  it('answers while a worker never yields, marking what shared memory says of it as stale', async () => {
    const rt = await multi(true);
    const gate = new Int32Array(new SharedArrayBuffer(8));
    try {
      const held = rt.spawn(holdWorker, gate.buffer as SharedArrayBuffer);
      while (Atomics.load(gate, 1) === 0) await new Promise((r) => setTimeout(r, 5));
      const d = await rt.taskDump();
      const e = d.find((x) => x.id === held.id)!;
      expect(e).toMatchObject({ name: 'holdWorker', state: 'running', stale: true });
      expect(e.worker).toBe(e.thread);
      Atomics.store(gate, 0, 1);
      Atomics.notify(gate, 0);
      await held;
      const after = await rt.taskDump();
      expect(after.some((x) => x.stale === true)).toBe(false);
    } finally {
      Atomics.store(gate, 0, 1);
      Atomics.notify(gate, 0);
      await rt.shutdown();
    }
  });

  it("writes a worker's warnings with its worker index and the task's id and name", async () => {
    const child = fileURLToPath(new URL('./fixtures/tracking_child.mjs', import.meta.url));
    const stderr = await new Promise<string>((resolve, reject) => {
      execFile(process.execPath, [child], { timeout: 60_000 }, (err, _out, errOut) =>
        err ? reject(err) : resolve(errOut),
      );
    });
    const records = stderr
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    const warn = records.find((r) => r.kind === 'long-poll' && r.task === 'longPoll');
    expect(warn).toMatchObject({ level: 40, kind: 'long-poll' });
    expect([0, 1]).toContain(warn!.worker);
    expect(warn!.taskId).toEqual(expect.any(Number));
    const info = records.find((r) => r.msg === 'from a task');
    expect(info).toMatchObject({ task: 'logger' });
    expect(info!.taskId).toEqual(expect.any(Number));
  });
});
