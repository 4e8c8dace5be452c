/**
 * BlockingPool against real piscina threads and real task modules (fixtures/tasks.ts, a
 * TypeScript module the pool threads load through tsx).
 */
import { afterEach, describe, expect, test } from 'vitest';
import { captureLogs } from '../../support/logs.js';
import {
  BlockingPool,
  BlockingPoolError,
  DEFAULT_MAX_BLOCKING_THREADS,
  DEFAULT_THREAD_KEEP_ALIVE_MS,
  defaultMaxBlockingThreads,
  type BlockingPoolOptions,
} from '../../../../packages/workers/src/blocking/index.js';

const TASKS = new URL('./fixtures/tasks.ts', import.meta.url).href;

const pools: BlockingPool[] = [];
function makePool(opts: BlockingPoolOptions = {}): BlockingPool {
  const pool = new BlockingPool({ maxThreads: 2, idleTimeoutMs: 5_000, ...opts });
  pools.push(pool);
  return pool;
}
afterEach(async () => {
  await Promise.all(pools.splice(0).map((p) => p.close({ force: true })));
});

/** An Int32Array over a SharedArrayBuffer (shared with pool threads, not copied). */
const shared = (n: number): Int32Array => new Int32Array(new SharedArrayBuffer(n * 4));
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
async function until(cond: () => boolean, timeoutMs = 10_000, what = 'condition'): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(5);
  }
}

describe('options', () => {
  test('invalid options throw RangeError / TypeError with a code', () => {
    expect(() => new BlockingPool({ maxThreads: 0 })).toThrow(
      expect.objectContaining({ name: 'RangeError', code: 'ERR_OUT_OF_RANGE' }),
    );
    expect(() => new BlockingPool({ maxThreads: 1.5 })).toThrow(RangeError);
    expect(() => new BlockingPool({ maxThreads: '2' as unknown as number })).toThrow(
      expect.objectContaining({ name: 'TypeError', code: 'ERR_INVALID_ARG_TYPE' }),
    );
    expect(() => new BlockingPool({ idleTimeoutMs: -1 })).toThrow(
      expect.objectContaining({ code: 'ERR_OUT_OF_RANGE' }),
    );
    expect(() => new BlockingPool({ idleTimeoutMs: Number.NaN })).toThrow(
      expect.objectContaining({ name: 'RangeError', code: 'ERR_OUT_OF_RANGE' }),
    );
    expect(() => new BlockingPool({ logger: {} as never })).toThrow(TypeError);
    expect(() => new BlockingPool({ execArgv: [1] as never })).toThrow(TypeError);
  });

  test('defaults: keep-alive 10 s, max threads min(16, max(4, 2 × cores))', () => {
    expect(DEFAULT_THREAD_KEEP_ALIVE_MS).toBe(10_000);
    expect([1, 2, 3, 4, 8, 64].map((n) => defaultMaxBlockingThreads(n))).toEqual([4, 4, 6, 8, 16, 16]);
    expect(DEFAULT_MAX_BLOCKING_THREADS).toBe(defaultMaxBlockingThreads());
    const pool = makePool({ maxThreads: undefined, idleTimeoutMs: undefined });
    expect(pool.maxThreads).toBe(DEFAULT_MAX_BLOCKING_THREADS);
    expect(pool.idleTimeoutMs).toBe(10_000);
  });

  test('run() validates its arguments', () => {
    const pool = makePool();
    expect(() => pool.run('', 'add', [])).toThrow(TypeError);
    expect(() => pool.run('not a url', 'add', [])).toThrow(expect.objectContaining({ code: 'ERR_INVALID_URL' }));
    expect(() => pool.run(TASKS, '', [])).toThrow(TypeError);
    expect(() => pool.run(TASKS, 'add', 'x' as never)).toThrow(TypeError);
    expect(pool.numThreads).toBe(0);
  });
});

describe('running jobs', () => {
  test('sync work returns its value; a plain function and a task definition both work', async () => {
    const pool = makePool();
    expect(await pool.run<number>(TASKS, 'add', [20, 22]).promise).toBe(42);
    expect(await pool.run<number>(TASKS, 'burn', [20]).promise).toBeGreaterThan(0);
    expect(await pool.run<number>(TASKS, 'fib', [30]).promise).toBe(832040);
  });

  test('an async function is awaited', async () => {
    const pool = makePool();
    expect(await pool.run<number>(TASKS, 'doubleLater', [21]).promise).toBe(42);
  });

  test('an absolute path works as the module reference', async () => {
    const pool = makePool();
    const { fileURLToPath } = await import('node:url');
    expect(await pool.run<number>(fileURLToPath(TASKS), 'add', [1, 1]).promise).toBe(2);
  });

  test('a SharedArrayBuffer argument is shared, not copied', async () => {
    const pool = makePool();
    const log = shared(4);
    await pool.run(TASKS, 'mark', [log, 2]).promise;
    expect(log[0]).toBe(1);
    expect(log[3]).toBe(1);
  });

  test('a thrown error keeps its class, message, code, own properties and stack', async () => {
    const pool = makePool();
    const err = await pool.run(TASKS, 'fail', ['disk on fire']).promise.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RangeError);
    expect(err).toMatchObject({ message: 'disk on fire', code: 'E_FIXTURE', detail: { n: 7 } });
    expect((err as Error).stack).toContain('tasks.ts');
  });

  test('a custom error class keeps its name and cause; a thrown string stays a string', async () => {
    const pool = makePool();
    const err = await pool.run(TASKS, 'failCustom', []).promise.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Error);
    expect(err).toMatchObject({ name: 'FixtureError', message: 'custom failure' });
    expect((err as Error).cause).toBeInstanceOf(TypeError);
    expect(((err as Error).cause as Error).message).toBe('the inner cause');
    await expect(pool.run(TASKS, 'throwString', []).promise).rejects.toBe('plain string thrown');
  });

  test('bad exports and uncloneable results fail the job, not the thread', async () => {
    const pool = makePool({ maxThreads: 1 });
    await expect(pool.run(TASKS, 'notAFunction', []).promise).rejects.toMatchObject({
      name: 'TypeError',
      code: 'ERR_SKEIN_BLOCKING_NOT_A_FUNCTION',
    });
    await expect(pool.run(TASKS, 'nope', []).promise).rejects.toMatchObject({
      code: 'ERR_SKEIN_BLOCKING_NOT_A_FUNCTION',
    });
    const tid = await pool.run<number>(TASKS, 'whoAmI', []).promise;
    await expect(pool.run(TASKS, 'returnsFunction', []).promise).rejects.toMatchObject({
      name: 'TypeError',
      code: 'ERR_SKEIN_BLOCKING_RESULT_NOT_CLONEABLE',
    });
    expect(await pool.run<number>(TASKS, 'whoAmI', []).promise).toBe(tid);
    await expect(
      pool.run(new URL('./fixtures/missing.ts', import.meta.url).href, 'x', []).promise,
    ).rejects.toBeInstanceOf(Error);
  });

  test('a job that sleeps synchronously does not stall the main event loop', async () => {
    const pool = makePool();
    await pool.run(TASKS, 'add', [0, 0]).promise; // thread warm
    let ticks = 0;
    const timer = setInterval(() => {
      ticks++;
    }, 10);
    const started = performance.now();
    const tid = await pool.run<number>(TASKS, 'sleepSync', [300]).promise;
    const elapsed = performance.now() - started;
    clearInterval(timer);
    expect(tid).toBeGreaterThan(0); // ran on a pool thread
    expect(elapsed).toBeGreaterThanOrEqual(290);
    expect(ticks).toBeGreaterThanOrEqual(10); // ~30 expected; a stalled loop would give 0-1
  });

  test('jobs run in FIFO order', async () => {
    const pool = makePool({ maxThreads: 1 });
    const log = shared(12);
    const gate = shared(1);
    const first = pool.run(TASKS, 'gated', [log, 0, gate]);
    const rest = Array.from({ length: 8 }, (_, i) => pool.run(TASKS, 'mark', [log, i + 1]));
    await until(() => log[0] === 1, 10_000, 'first job');
    Atomics.store(gate, 0, 1);
    await Promise.all([first.promise, ...rest.map((j) => j.promise)]);
    expect(Array.from(log.subarray(1, 10))).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });
});

describe('threads and metrics', () => {
  test('threads start lazily and grow up to maxThreads, never beyond', async () => {
    const pool = makePool({ maxThreads: 3 });
    expect(pool.numThreads).toBe(0);
    expect(pool.numIdleThreads).toBe(0);
    expect(pool.queueDepth).toBe(0);
    let maxSeen = 0;
    const sampler = setInterval(() => {
      maxSeen = Math.max(maxSeen, pool.numThreads);
    }, 2);
    const log = shared(8);
    const gate = shared(1);
    const jobs = Array.from({ length: 6 }, (_, i) => pool.run(TASKS, 'gated', [log, i, gate]));
    await until(() => log[0] === 3, 15_000, 'three jobs running');
    await sleep(100);
    expect(pool.numThreads).toBe(3);
    expect(Atomics.load(log, 0)).toBe(3); // the other three wait
    expect(pool.queueDepth).toBe(3);
    expect(pool.numRunning).toBe(3);
    expect(pool.numIdleThreads).toBe(0);
    Atomics.store(gate, 0, 1);
    Atomics.notify(gate, 0);
    expect((await Promise.all(jobs.map((j) => j.promise))).sort()).toEqual([0, 1, 2, 3, 4, 5]);
    clearInterval(sampler);
    expect(maxSeen).toBe(3);
    expect(pool.queueDepth).toBe(0);
    expect(pool.numIdleThreads).toBe(pool.numThreads);
  });

  test('idle threads exit after idleTimeoutMs', async () => {
    const pool = makePool({ maxThreads: 2, idleTimeoutMs: 200 });
    const log = shared(4);
    const gate = shared(1);
    const jobs = [pool.run(TASKS, 'gated', [log, 0, gate]), pool.run(TASKS, 'gated', [log, 1, gate])];
    await until(() => log[0] === 2, 10_000, 'both jobs running on their own threads');
    expect(pool.numThreads).toBe(2);
    Atomics.store(gate, 0, 1);
    await Promise.all(jobs.map((j) => j.promise));
    expect(pool.numThreads).toBe(2);
    expect(pool.numIdleThreads).toBe(2);
    const idleSince = performance.now();
    await until(() => pool.numThreads === 0, 5_000, 'threads to exit');
    expect(performance.now() - idleSince).toBeGreaterThanOrEqual(150);
    // and the pool starts threads again on demand
    expect(await pool.run<number>(TASKS, 'add', [1, 2]).promise).toBe(3);
    expect(pool.numThreads).toBe(1);
  });

  test('queue depth is visible while the threads are busy', async () => {
    const pool = makePool({ maxThreads: 1 });
    const log = shared(8);
    const gate = shared(1);
    const running = pool.run(TASKS, 'gated', [log, 0, gate]);
    const queued = [1, 2, 3].map((i) => pool.run(TASKS, 'mark', [log, i]));
    expect(pool.queueDepth).toBe(4); // nothing handed out before a thread exists
    await until(() => log[0] === 1, 10_000, 'first job');
    expect(pool.queueDepth).toBe(3);
    expect(running.state).toBe('running');
    expect(queued[0]!.state).toBe('queued');
    Atomics.store(gate, 0, 1);
    await Promise.all([running.promise, ...queued.map((j) => j.promise)]);
    expect(pool.queueDepth).toBe(0);
    expect(running.state).toBe('finished');
  });
});

describe('cancel', () => {
  test('a queued job cancels: true, it never runs, its promise rejects as cancelled', async () => {
    const pool = makePool({ maxThreads: 1 });
    const log = shared(8);
    const gate = shared(1);
    const running = pool.run(TASKS, 'gated', [log, 0, gate]);
    const a = pool.run(TASKS, 'mark', [log, 1]);
    const b = pool.run(TASKS, 'mark', [log, 2]);
    const c = pool.run(TASKS, 'mark', [log, 3]);
    await until(() => log[0] === 1, 10_000, 'first job');
    expect(pool.queueDepth).toBe(3);
    expect(b.cancel()).toBe(true);
    expect(b.cancel()).toBe(false); // already cancelled
    expect(b.state).toBe('cancelled');
    expect(pool.queueDepth).toBe(2);
    const err = await b.promise.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BlockingPoolError);
    expect(err).toMatchObject({ kind: 'cancelled', code: 'ERR_SKEIN_BLOCKING_CANCELLED' });
    Atomics.store(gate, 0, 1);
    expect(await Promise.all([running.promise, a.promise, c.promise])).toEqual([0, 1, 3]);
    await sleep(50);
    expect(Atomics.load(log, 0)).toBe(3);
    expect(Atomics.load(log, 1 + 2)).toBe(0); // b never ran
  });

  test('a job cancelled before any thread exists never runs', async () => {
    const pool = makePool({ maxThreads: 1 });
    const log = shared(4);
    const job = pool.run(TASKS, 'mark', [log, 0]);
    expect(job.cancel()).toBe(true);
    await expect(job.promise).rejects.toMatchObject({ kind: 'cancelled' });
    expect(await pool.run<number>(TASKS, 'mark', [log, 1]).promise).toBe(1);
    expect(Array.from(log)).toEqual([1, 0, 1, 0]);
  });

  test('many racing cancels: exactly the jobs whose cancel() returned true never run', async () => {
    const pool = makePool({ maxThreads: 2 });
    const n = 60;
    const log = shared(n + 1);
    const jobs = Array.from({ length: n }, (_, i) => pool.run(TASKS, 'mark', [log, i]));
    const cancelled = new Set<number>();
    for (let i = 0; i < n; i += 1) {
      if (i % 3 === 0) await sleep(1);
      if (i % 2 === 1 && jobs[i]!.cancel()) cancelled.add(i);
    }
    await Promise.allSettled(jobs.map((j) => j.promise));
    await sleep(20);
    for (let i = 0; i < n; i++) {
      expect(Atomics.load(log, 1 + i) === 0, `job ${i}`).toBe(cancelled.has(i));
    }
    expect(pool.queueDepth).toBe(0);
    expect(pool.numRunning).toBe(0);
  });

  test('a running job does not cancel: false, and it completes', async () => {
    const pool = makePool({ maxThreads: 1 });
    const log = shared(4);
    const gate = shared(1);
    const job = pool.run<number>(TASKS, 'gated', [log, 0, gate]);
    await until(() => log[0] === 1, 10_000, 'job start');
    expect(job.cancel()).toBe(false);
    Atomics.store(gate, 0, 1);
    expect(await job.promise).toBe(0);
    expect(job.cancel()).toBe(false); // finished
    expect(pool.numThreads).toBe(1); // its thread was not terminated
  });
});

describe('close', () => {
  test('close({ force: true }) while a job blocks forever terminates its thread (not abandoned) and the job rejects', async () => {
    const { logger, lines } = captureLogs('debug');
    const pool = makePool({ maxThreads: 2, logger });
    const log = shared(4);
    const blocked = pool.run(TASKS, 'forever', []);
    const spinning = pool.run(TASKS, 'spin', []);
    const queued = pool.run(TASKS, 'mark', [log, 0]);
    await until(() => blocked.state === 'running' && spinning.state === 'running', 10_000, 'jobs to start');
    expect(queued.state).toBe('queued');
    await sleep(50);
    const outcomes = Promise.allSettled([blocked.promise, spinning.promise, queued.promise]);
    await pool.close({ force: true });
    // Terminated at once, not left to the grace period that abandons a thread stuck in
    // native code (which would log that it did).
    expect(lines.filter((l) => String(l.msg).includes('abandoning'))).toEqual([]);
    const [b, s, q] = await outcomes;
    expect(b).toMatchObject({
      status: 'rejected',
      reason: { kind: 'terminated', code: 'ERR_SKEIN_BLOCKING_TERMINATED' },
    });
    expect(s).toMatchObject({ status: 'rejected', reason: { kind: 'terminated' } });
    expect(q).toMatchObject({ status: 'rejected', reason: { kind: 'cancelled' } });
    expect(Atomics.load(log, 0)).toBe(0);
    expect(pool.numThreads).toBe(0);
    expect(() => pool.run(TASKS, 'add', [1, 2])).toThrow(
      expect.objectContaining({ kind: 'closed', code: 'ERR_SKEIN_BLOCKING_POOL_CLOSED' }),
    );
  });

  test('close() waits for running jobs and withdraws queued ones', async () => {
    const pool = makePool({ maxThreads: 1 });
    const log = shared(4);
    const gate = shared(1);
    const running = pool.run<number>(TASKS, 'gated', [log, 0, gate]);
    const queued = pool.run(TASKS, 'mark', [log, 1]);
    await until(() => log[0] === 1, 10_000, 'job start');
    let closed = false;
    const closing = pool.close().then(() => {
      closed = true;
    });
    await expect(queued.promise).rejects.toMatchObject({ kind: 'cancelled' });
    await sleep(100);
    expect(closed).toBe(false);
    Atomics.store(gate, 0, 1);
    await closing;
    expect(await running.promise).toBe(0);
    expect(Atomics.load(log, 2)).toBe(0);
    expect(pool.numThreads).toBe(0);
  });

  test('close({ timeoutMs }) terminates what still runs after the timeout; force escalates a graceful close', async () => {
    const pool = makePool({ maxThreads: 1 });
    const job = pool.run(TASKS, 'forever', []);
    await until(() => job.state === 'running', 10_000, 'job start');
    const outcome = job.promise.catch((e: unknown) => e);
    const started = performance.now();
    await pool.close({ timeoutMs: 200 });
    expect(performance.now() - started).toBeGreaterThanOrEqual(180);
    expect(await outcome).toMatchObject({ kind: 'terminated' });

    const pool2 = makePool({ maxThreads: 1 });
    const job2 = pool2.run(TASKS, 'forever', []);
    await until(() => job2.state === 'running', 10_000, 'job start');
    const outcome2 = job2.promise.catch((e: unknown) => e);
    const graceful = pool2.close();
    await sleep(50);
    await pool2.close({ force: true });
    await graceful;
    expect(await outcome2).toMatchObject({ kind: 'terminated' });
  });

  test('threads that cannot start fail the waiting jobs (spawnFailed) instead of hanging, and log why', async () => {
    const warnings: { obj: object; msg: string }[] = [];
    const pool = makePool({
      maxThreads: 1,
      execArgv: ['--import', 'data:text/javascript,throw new Error("boot failure")'],
      logger: { warn: (obj, msg) => warnings.push({ obj, msg }) },
    });
    const jobs = [pool.run(TASKS, 'add', [1, 2]), pool.run(TASKS, 'add', [3, 4])];
    const outcomes = await Promise.allSettled(jobs.map((j) => j.promise));
    for (const outcome of outcomes) {
      expect(outcome).toMatchObject({
        status: 'rejected',
        reason: { kind: 'spawnFailed', code: 'ERR_SKEIN_BLOCKING_SPAWN_FAILED' },
      });
    }
    expect(((outcomes[0] as PromiseRejectedResult).reason as Error).cause).toMatchObject({ message: 'boot failure' });
    expect(warnings.some((w) => w.msg.includes('thread failed'))).toBe(true);
    expect(pool.queueDepth).toBe(0);
    expect(pool.numRunning).toBe(0);
    // later jobs fail the same way rather than waiting behind the lost ones
    await expect(pool.run(TASKS, 'add', [5, 6]).promise).rejects.toMatchObject({ kind: 'spawnFailed' });
    await pool.close();
  });

  test('thread flags that worker threads refuse are rejected when the pool is built', () => {
    expect(() => new BlockingPool({ execArgv: ['--expose-gc'] })).toThrow(
      expect.objectContaining({ name: 'TypeError', code: 'ERR_WORKER_INVALID_EXEC_ARGV' }),
    );
  });

  test('a thread that dies mid-job fails that job; queued jobs still run', async () => {
    const pool = makePool({ maxThreads: 1 });
    const log = shared(4);
    const dying = pool.run(TASKS, 'exitThread', []);
    const after = [pool.run<number>(TASKS, 'mark', [log, 0]), pool.run<number>(TASKS, 'mark', [log, 1])];
    await expect(dying.promise).rejects.toBeInstanceOf(Error);
    expect(await Promise.all(after.map((j) => j.promise))).toEqual([0, 1]);
  });
});
