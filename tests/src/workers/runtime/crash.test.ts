import { afterEach, describe, expect, it } from 'vitest';
import { JoinError, Runtime } from '@skein/core';
import { WorkerCrashedError } from '@skein/workers';
import { inc } from './fixtures/basic.js';
import { holdUntil } from './fixtures/control.js';
import {
  exhaustMemory,
  exitFromTimer,
  exitProcess,
  markReturn,
  sleepThenExit,
  slowInc,
  spawnThenExit,
  throwLater,
} from './fixtures/crash.js';
import { captureLogs, sharedInts, waitFor } from './helpers.js';

async function crashCause(h: PromiseLike<unknown>): Promise<WorkerCrashedError> {
  const err = await Promise.resolve(h).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(JoinError);
  expect((err as JoinError).isPanic()).toBe(true);
  const cause = (err as JoinError).cause;
  expect(cause).toBeInstanceOf(WorkerCrashedError);
  expect((cause as WorkerCrashedError).code).toBe('ERR_SKEIN_WORKER_CRASHED');
  return cause as WorkerCrashedError;
}

describe('multi-thread runtime: a worker thread that dies is replaced', () => {
  let rt: Runtime | undefined;
  afterEach(async () => {
    await rt?.shutdown();
    rt = undefined;
    delete process.env.SKEIN_WORKER_RESOURCE_LIMITS;
  });

  it('process.exit() in a task: the task fails, its queued tasks run elsewhere, the worker is replaced', async () => {
    const logs = captureLogs();
    rt = await Runtime.builder().multiThread().workerThreads(1).logger(logs.logger).build();
    expect(await rt.spawn(inc, 0)).toBe(1); // the worker has loaded the fixtures
    // One batch: the worker takes all of it into its local queue, runs the exit first.
    const dying = rt.spawn(exitProcess, 7);
    const queued = Array.from({ length: 20 }, (_, i) => rt!.spawn(inc, i));
    const cause = await crashCause(dying);
    expect(cause.reason).toBe('exit');
    expect(cause.exitCode).toBe(7);
    expect(cause.worker).toBe(0);
    expect(cause.message).toMatch(/worker 0 crashed \(exit: exit code 7\)/);
    expect(await Promise.all(queued)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    expect(await rt.spawn(inc, 41)).toBe(42);
    const crashLog = logs.lines.find((l) => String(l.msg).includes('crashed'));
    expect(crashLog).toMatchObject({ level: 50, worker: 0, reason: 'exit', exitCode: 7, failedTasks: 1 });
    await waitFor(() => rt!.metrics().numAliveTasks === 0, 5000, 'no live tasks');
  });

  // A task whose body has returned is finished: the thread dying afterwards must not report
  // it crashed (a caller retrying on WorkerCrashedError would run it twice).
  for (const [what, ms] of [
    ['started in the same run as the exit', 0],
    ['woken by the same timer as the exit', 30],
  ] as const) {
    it(`process.exit() in a task: tasks on that worker whose bodies returned keep their outcome (${what})`, async () => {
      rt = await Runtime.builder().multiThread().workerThreads(1).logger('silent').build();
      expect(await rt.spawn(inc, 0)).toBe(1); // the worker has loaded the fixtures
      for (let round = 0; round < 3; round++) {
        const n = 40;
        const flags = sharedInts(n);
        // One batch: the worker takes all of it, in order, the exit last.
        const hs = Array.from({ length: n }, (_, i) => rt!.spawn(markReturn, flags.sab, i, ms));
        const dying = rt.spawn(sleepThenExit, ms, 9);
        expect((await crashCause(dying)).exitCode).toBe(9);
        const outcomes = await Promise.all(
          hs.map((h) =>
            h.then(
              (v) => v,
              (e: unknown) => e,
            ),
          ),
        );
        let finished = 0;
        for (let i = 0; i < n; i++) {
          if (Atomics.load(flags.words, i) === 1) {
            expect(outcomes[i]).toBe(i); // returned: never reported crashed
            finished++;
          } else {
            expect((outcomes[i] as JoinError).cause).toBeInstanceOf(WorkerCrashedError);
          }
        }
        if (ms === 0) expect(finished).toBe(n); // they ran, in order, before the exit
      }
    });
  }

  it('process.exit() from a timer callback a task registered is an exit with its code', async () => {
    rt = await Runtime.builder().multiThread().workerThreads(1).logger('silent').build();
    const cause = await crashCause(rt.spawn(exitFromTimer, 6));
    expect(cause).toMatchObject({ reason: 'exit', exitCode: 6 });
    expect(await rt.spawn(inc, 1)).toBe(2);
  });

  it('shutting down while a replacement worker starts is not an error', async () => {
    const logs = captureLogs();
    const local = await Runtime.builder().multiThread().workerThreads(1).logger(logs.logger).build();
    expect(await local.spawn(inc, 0)).toBe(1);
    await crashCause(local.spawn(exitProcess, 4)); // its replacement is starting now
    await local.shutdown();
    expect(logs.lines.filter((l) => String(l.msg).includes('failed to start'))).toEqual([]);
    expect(logs.lines.filter((l) => (l.level as number) >= 50).map((l) => l.msg)).toEqual([
      expect.stringContaining('crashed'),
    ]);
  });

  it("tasks queued in a dead worker's LIFO slot and local queue run on another worker", async () => {
    const logs = captureLogs();
    rt = await Runtime.builder().multiThread().workerThreads(1).logger(logs.logger).build();
    const flags = sharedInts(10);
    const cause = await crashCause(rt.spawn(spawnThenExit, flags.sab, 10, 3));
    expect(cause.exitCode).toBe(3);
    await waitFor(() => flags.words.every((f) => f === 1), 10_000, 'the orphaned tasks ran');
    expect(logs.lines.find((l) => String(l.msg).includes('crashed'))).toMatchObject({ requeued: 10, failedTasks: 1 });
    expect(await rt.spawn(inc, 1)).toBe(2);
  });

  it('an uncaught error outside any task: running tasks fail with the error named, queued tasks complete', async () => {
    const logs = captureLogs();
    // eventInterval(1): the worker's timers get a turn between any two tasks.
    rt = await Runtime.builder().multiThread().workerThreads(1).eventInterval(1).logger(logs.logger).build();
    expect(await rt.spawn(inc, 0)).toBe(1);
    const gate = sharedInts(4);
    const thrower = rt.spawn(throwLater, 'kaboom');
    const sleeper = rt.spawn(slowInc, 10_000, 1); // running (asleep) when the worker dies
    const holder = rt.spawn(holdUntil, gate.sab, 0, 100); // keeps the worker busy past the timer
    await waitFor(() => Atomics.load(gate.words, 1) === 1, 10_000, 'holder running');
    const queued = Array.from({ length: 10 }, (_, i) => rt!.spawn(inc, i));
    const cause = await crashCause(thrower);
    expect(cause.reason).toBe('uncaught-error');
    expect(cause.message).toMatch(/kaboom/);
    expect((await crashCause(sleeper)).reason).toBe('uncaught-error');
    expect(typeof (await holder)).toBe('number');
    expect(await Promise.all(queued)).toEqual(Array.from({ length: 10 }, (_, i) => i + 1));
    expect(await rt.spawn(inc, 1)).toBe(2);
    expect(logs.lines.some((l) => l.level === 50 && String(l.msg).includes('kaboom'))).toBe(true);
  });

  it('running out of memory under resourceLimits (SKEIN_WORKER_RESOURCE_LIMITS)', async () => {
    process.env.SKEIN_WORKER_RESOURCE_LIMITS = JSON.stringify({
      maxOldGenerationSizeMb: 96,
      maxYoungGenerationSizeMb: 16,
    });
    const logs = captureLogs();
    rt = await Runtime.builder().multiThread().workerThreads(2).logger(logs.logger).build();
    expect(await rt.spawn(inc, 0)).toBe(1);
    const cause = await crashCause(rt.spawn(exhaustMemory));
    expect(cause.reason).toBe('out-of-memory');
    const after = await Promise.all(Array.from({ length: 100 }, (_, i) => rt!.spawn(inc, i)));
    expect(after[99]).toBe(100);
    expect(logs.lines.some((l) => l.reason === 'out-of-memory')).toBe(true);
  });

  it('survives repeated crashes', async () => {
    rt = await Runtime.builder().multiThread().workerThreads(2).logger('silent').build();
    for (let i = 0; i < 3; i++) {
      await crashCause(rt.spawn(exitProcess, 1));
      expect(await rt.spawn(inc, i)).toBe(i + 1);
    }
    const many = await Promise.all(Array.from({ length: 1000 }, (_, i) => rt!.spawn(inc, i)));
    expect(many[999]).toBe(1000);
  });
});
