import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JoinError, type Runtime } from '@skein/core';
import { mainOnly, throwsObject } from '../runtime/fixtures/errors.js';
import { throwsObject as throwsObjectBlocking } from '../blocking/fixtures/blocking_tasks.js';
import { multiThread } from '../runtime/helpers.js';

async function panicCause(h: PromiseLike<unknown>): Promise<unknown> {
  const err = await Promise.resolve(h).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(JoinError);
  expect((err as JoinError).isPanic()).toBe(true);
  return (err as JoinError).cause;
}

describe('failures that cross threads keep what they carry', () => {
  let rt: Runtime;
  beforeAll(async () => {
    rt = await multiThread(1);
  });
  afterAll(async () => {
    await rt.shutdown();
  });

  it('a thrown plain object keeps its cloneable fields (worker)', async () => {
    expect(await panicCause(rt.spawn(throwsObject))).toEqual({ code: 'E_PLAIN', detail: { n: 1 } });
  });

  it('a thrown plain object keeps its cloneable fields (blocking pool)', async () => {
    expect(await panicCause(rt.spawnBlocking(throwsObjectBlocking))).toEqual({ code: 'E_PLAIN', detail: { n: 1 } });
  });

  it('an export that is not a function on the worker is a TypeError with a code', async () => {
    const cause = await panicCause(rt.spawn(mainOnly as Exclude<typeof mainOnly, number>));
    expect(cause).toBeInstanceOf(TypeError);
    expect(cause).toMatchObject({ code: 'ERR_SKEIN_TASK_NOT_A_FUNCTION' });
    expect((cause as Error).message).toMatch(/mainOnly.*not a task\(\) definition or a function on this worker/);
  });
});
