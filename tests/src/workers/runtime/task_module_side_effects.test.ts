import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JoinError, TaskModuleSideEffectError, type Runtime } from '@skein/core';
import { double } from './fixtures/inline_runtime.js';
import { triple } from './fixtures/inline_server.js';
import { multiThread } from './helpers.js';

async function panicOf(p: PromiseLike<unknown>): Promise<unknown> {
  const err = await Promise.resolve(p).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(JoinError);
  expect((err as JoinError).isPanic()).toBe(true);
  return (err as JoinError).cause;
}

describe('a task module with side effects, imported by a worker', () => {
  let rt: Runtime;
  let occupied: Server;
  beforeAll(async () => {
    // The fixed port the inline server wants is taken, as by the main thread's own server.
    occupied = createServer();
    await new Promise<void>((r) => occupied.listen(0, '127.0.0.1', r));
    process.env.SKEIN_TEST_FIXED_PORT = String((occupied.address() as AddressInfo).port);
    rt = await multiThread(2);
  });
  afterAll(async () => {
    await rt.shutdown();
    occupied.close();
    delete process.env.SKEIN_TEST_FIXED_PORT;
  });

  it('fails the task, naming the module and the rule, when the module builds a runtime', async () => {
    const cause = await panicOf(rt.spawn(double, 2));
    expect(cause).toBeInstanceOf(TaskModuleSideEffectError);
    expect(cause).toMatchObject({ code: 'ERR_SKEIN_TASK_MODULE_SIDE_EFFECT' });
    expect((cause as Error).message).toContain('Runtime.builder().build()');
    expect((cause as Error).message).toContain(double.url);
    expect((cause as Error).message).toMatch(/must have no side effects/);
  });

  it('fails the task instead of crashing workers when the module starts a server', async () => {
    for (let i = 0; i < 4; i++) {
      const cause = await panicOf(rt.spawn(triple, i));
      expect(cause).toBeInstanceOf(TaskModuleSideEffectError);
      expect((cause as Error).message).toContain('server.listen()');
      expect((cause as Error).message).toContain(triple.url);
    }
  });
});
