import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { threadId } from 'node:worker_threads';
import { Elapsed, JoinError, NotSendableError, type Runtime, SerializationError, spawn, task } from '@skein/core';
import {
  add,
  argsOf,
  bigString,
  byteSum,
  describeArgs,
  echo,
  fails,
  failsAsync,
  failsWith,
  inc,
  makeSab,
  mapSabWrite,
  objSabWrite,
  returnsFunction,
  sabWrite,
  viewAdd,
  whereAmI,
  whoAmI,
} from '../runtime/fixtures/basic.js';
import { multiThread, sharedInts } from '../runtime/helpers.js';

describe('multi-thread runtime: spawning task() definitions', () => {
  let rt: Runtime;
  beforeAll(async () => {
    rt = await multiThread(2);
  });
  afterAll(async () => {
    await rt.shutdown();
  });

  it('is the multi-thread flavour with the requested workers', () => {
    expect(rt.flavor).toBe('multi_thread');
    expect(rt.metrics().numWorkers).toBe(2);
  });

  it('runs a task on a worker thread and returns its result', async () => {
    expect(await rt.spawn(inc, 41)).toBe(42);
    expect(await rt.spawn(add, 2, 3)).toBe(5);
    expect(await rt.spawn(whereAmI)).not.toBe(threadId);
  });

  it('spawns from the blockOn root with the free spawn()', async () => {
    const r = await rt.blockOn(async () => {
      const hs = Array.from({ length: 100 }, (_, i) => spawn(inc, i));
      let sum = 0;
      for (const h of hs) sum += await h;
      return sum;
    });
    expect(r).toBe(5050);
  });

  it('round-trips arguments and results with structured-clone semantics', async () => {
    const date = new Date(1_700_000_000_000);
    const values: unknown[] = [
      0,
      -0,
      1.5,
      NaN,
      -Infinity,
      2 ** 31,
      'plain',
      'ünïcödé ✓ 𝄞',
      '',
      true,
      false,
      null,
      undefined,
      [1, 'two', [3]],
      { a: 1, b: { c: [true, null] }, 'key with spaces': 'v' },
      new Map<unknown, unknown>([
        ['k', 1],
        [2, { x: 'y' }],
      ]),
      new Set([1, 2, 3]),
      date,
      /ab+c/gi,
      12345678901234567890n,
      new Uint8Array([1, 2, 3]),
      new Float64Array([1.5, -2]),
      new Int32Array([7, -7]),
      [1, undefined, 3], // eslint-disable-line no-sparse-arrays
      'x'.repeat(200),
      { big: 'y'.repeat(100_000) },
      new Uint8Array(200_000).fill(1),
    ];
    for (const v of values) {
      const back = await rt.spawn(echo, v);
      expect(back).toEqual(v);
      if (v !== null && typeof v === 'object') expect(back).not.toBe(v);
    }
    expect(Object.is(await rt.spawn(echo, -0), -0)).toBe(true);
    const shared = { n: 1 };
    const [x, y] = (await rt.spawn(echo, [shared, shared])) as [object, object];
    expect(x).toBe(y); // shared references survive, as with structured clone
    const cyclic: Record<string, unknown> = { name: 'loop' };
    cyclic.self = cyclic;
    const c = (await rt.spawn(echo, cyclic)) as Record<string, unknown>;
    expect(c.self).toBe(c);
    expect(await rt.spawn(describeArgs, new Map(), new Uint8Array(1), date, 1n)).toEqual([
      '[object Map]',
      '[object Uint8Array]',
      '[object Date]',
      '[object BigInt]',
    ]);
    expect(await rt.spawn(argsOf, 1, 'a', null, undefined)).toEqual([1, 'a', null, undefined]);
    expect(await rt.spawn(bigString, 1_000_000)).toHaveLength(1_000_000);
    expect(await rt.spawn(byteSum, new Uint8Array(3_000_000).fill(2))).toBe(6_000_000);
  });

  it('shares a SharedArrayBuffer argument instead of copying it', async () => {
    const { sab, words } = sharedInts(4);
    expect(await rt.spawn(sabWrite, sab, 2, 1234)).toBe(1234);
    expect(Atomics.load(words, 2)).toBe(1234);
    // A typed-array view over shared memory stays a view of the same memory.
    expect(await rt.spawn(viewAdd, words, 3)).toBe(1);
    expect(await rt.spawn(viewAdd, new Int32Array(sab, 4, 3), 2)).toBe(2); // word 3 again
    expect(Atomics.load(words, 3)).toBe(2);
    // Nested in a plain object, and in a Map (the postMessage side channel).
    expect(await rt.spawn(objSabWrite, { buf: sab, v: 77 })).toBe(77);
    expect(Atomics.load(words, 1)).toBe(77);
    expect(await rt.spawn(mapSabWrite, new Map([['buf', sab]]))).toBe(4);
    expect(Atomics.load(words, 0)).toBe(99);
    // The same buffer many times, concurrently.
    await Promise.all(Array.from({ length: 1000 }, () => rt.spawn(viewAdd, words, 2)));
    expect(Atomics.load(words, 2)).toBe(1234 + 1000);
    // A SharedArrayBuffer returned by a task is shared too.
    const made = await rt.spawn(makeSab);
    expect(made).toBeInstanceOf(SharedArrayBuffer);
    expect(new Int32Array(made)[0]).toBe(7);
  });

  it('throws SerializationError at spawn, before queueing, for values that cannot cross', () => {
    const before = rt.metrics().spawnedTasksCount;
    expect(() => rt.spawn(echo, () => 1)).toThrow(SerializationError);
    expect(() => rt.spawn(echo, { nested: { fn: () => 1 } })).toThrow(SerializationError);
    expect(() => rt.spawn(echo, Symbol('s'))).toThrow(SerializationError);
    expect(() => rt.spawn(echo, new WeakMap())).toThrow(SerializationError);
    expect(() => rt.spawn(echo, Promise.resolve(1))).toThrow(SerializationError);
    try {
      rt.spawn(echo, { fn: () => 1 });
    } catch (err) {
      expect((err as SerializationError).code).toBe('ERR_SKEIN_SERIALIZATION');
      expect((err as Error).message).toMatch(/echo/);
    }
    expect(rt.metrics().spawnedTasksCount).toBe(before);
  });

  it('rejects closures where a sendable task is required with NotSendableError', async () => {
    expect(() => rt.spawnBlocking((() => 1) as never)).toThrow(NotSendableError);
    try {
      rt.spawnBlocking((() => 1) as never);
    } catch (err) {
      expect((err as Error).message).toMatch(/export const \w+ = task\(import\.meta/);
    }
    // A closure given to spawn() runs on the calling thread (here: main), as Tokio's spawn_local.
    expect(await rt.blockOn(() => spawn(() => threadId))).toBe(threadId);
  });

  it('gives each task a runtime-unique id equal to currentTask().id inside it', async () => {
    const hs = Array.from({ length: 50 }, () => rt.spawn(whoAmI));
    const ids = await Promise.all(hs);
    expect(ids).toEqual(hs.map((h) => h.id));
    expect(new Set(ids).size).toBe(50);
  });

  it('reports a throwing task as a panic with the thrown value as cause', async () => {
    const err = await rt.spawn(fails, 'boom').then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(JoinError);
    expect((err as JoinError).isPanic()).toBe(true);
    expect((err as JoinError).cause).toBeInstanceOf(Error);
    expect(((err as JoinError).cause as Error).message).toBe('boom');
    expect((err as Error).message).toMatch(/boom/);
    const asyncErr = (await rt.spawn(failsAsync, 'later').then(
      () => undefined,
      (e: unknown) => e,
    )) as JoinError;
    expect((asyncErr.cause as Error).message).toBe('later');

    const typed = (await rt.spawn(failsWith, 'type').catch((e: unknown) => e)) as JoinError;
    expect(typed.cause).toBeInstanceOf(TypeError);
    expect(typed.cause).toMatchObject({ message: 'bad type', code: 'E_CUSTOM', detail: { n: 1 } });
    const elapsed = (await rt.spawn(failsWith, 'elapsed').catch((e: unknown) => e)) as JoinError;
    expect(elapsed.cause).toBeInstanceOf(Elapsed);
    expect((elapsed.cause as Elapsed).code).toBe('ERR_SKEIN_ELAPSED');
    const str = (await rt.spawn(failsWith, 'string').catch((e: unknown) => e)) as JoinError;
    expect(str.cause).toBe('just a string');
    const chained = (await rt.spawn(failsWith, 'cause').catch((e: unknown) => e)) as JoinError;
    expect((chained.cause as Error).cause as Error).toBeInstanceOf(RangeError);
  });

  it('turns a result that cannot cross into a panic with SerializationError', async () => {
    const err = (await rt.spawn(returnsFunction).catch((e: unknown) => e)) as JoinError;
    expect(err.isPanic()).toBe(true);
    expect(err.cause).toBeInstanceOf(SerializationError);
  });

  it('fails the handle of a task definition that is not exported', async () => {
    const hidden = task(import.meta, function hidden(): number {
      return 1;
    });
    const err = (await rt.spawn(hidden).catch((e: unknown) => e)) as JoinError;
    expect(err).toBeInstanceOf(JoinError);
    expect((err.cause as { code?: string }).code).toBe('ERR_SKEIN_TASK_NOT_EXPORTED');
  });

  it('handles many tasks in flight at once', async () => {
    const hs = Array.from({ length: 20_000 }, (_, i) => rt.spawn(inc, i));
    const rs = await Promise.all(hs);
    expect(rs.every((v, i) => v === i + 1)).toBe(true);
  });

  it('lets spawns wait for free slots when more tasks are in flight than slots', async () => {
    // 65536 main-thread slots by default; go well past them.
    const n = 150_000;
    const hs = new Array<PromiseLike<number>>(n);
    for (let i = 0; i < n; i++) hs[i] = rt.spawn(inc, i);
    const rs = await Promise.all(hs);
    let ok = true;
    for (let i = 0; i < n; i++) ok &&= rs[i] === i + 1;
    expect(ok).toBe(true);
  });
});
