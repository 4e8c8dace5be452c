import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JoinSet, Runtime, spawn } from '@skein/core';
import { closureWithArgs, countdown, countdownViaHandle } from '../runtime/fixtures/self_spawn.js';
import { multiThread } from '../runtime/helpers.js';

for (const flavor of ['current_thread', 'multi_thread'] as const) {
  describe(`a task spawning itself by its own name (${flavor})`, () => {
    let rt: Runtime;
    beforeAll(async () => {
      rt =
        flavor === 'multi_thread'
          ? await multiThread(2)
          : await Runtime.builder().currentThread().logger('silent').build();
    });
    afterAll(async () => {
      await rt.shutdown();
    });

    it('spawns the definition with its arguments (the raw function maps back to it)', async () => {
      expect(await rt.spawn(countdown, 200)).toBe(200);
      expect(await rt.spawn(countdownViaHandle, 5)).toBe(5);
      expect(await rt.blockOn(() => spawn(countdown.fn as never, 50 as never))).toBe(50);
      expect(await rt.spawn(countdown.fn as never, 7 as never)).toBe(7);
    });

    it('throws a TypeError with a code for a closure given arguments, on every spawn path', async () => {
      const closure = ((x: number) => x) as never;
      expect(() => rt.spawn(closure, 1 as never)).toThrow(
        expect.objectContaining({ name: 'TypeError', code: 'ERR_INVALID_ARG_TYPE' }),
      );
      await rt.blockOn(() => {
        expect(() => spawn(closure, 1 as never)).toThrow(/passes arguments only to a task\(\) definition/);
        const set = new JoinSet<number>();
        expect(() => set.spawn(closure, 1 as never)).toThrow(TypeError);
        expect(() => rt.handle().spawn(closure, 1 as never)).toThrow(TypeError);
      });
      for (const r of await rt.spawn(closureWithArgs)) {
        expect(r).toMatchObject({ name: 'TypeError', code: 'ERR_INVALID_ARG_TYPE' });
        expect(r.message).toMatch(/1 argument\b/);
      }
    });

    it('still runs a closure given no arguments on the current thread', async () => {
      expect(await rt.spawn(() => 5)).toBe(5);
      expect(await rt.blockOn(() => spawn(async () => 6))).toBe(6);
    });
  });
}
