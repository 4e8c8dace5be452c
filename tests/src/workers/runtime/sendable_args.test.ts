import { Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Runtime, SerializationError, spawn } from '@skein/core';
import { argsOf, echo } from './fixtures/basic.js';
import { multiThread } from './helpers.js';

class Point {
  constructor(
    readonly x: number,
    readonly y: number,
  ) {}
  norm(): number {
    return Math.hypot(this.x, this.y);
  }
}

for (const flavor of ['current_thread', 'multi_thread'] as const) {
  describe(`task() arguments are checked like Tokio's Send bound (${flavor})`, () => {
    let rt: Runtime;
    beforeAll(async () => {
      rt =
        flavor === 'multi_thread'
          ? await multiThread(1)
          : await Runtime.builder().currentThread().logger('silent').build();
    });
    afterAll(async () => {
      await rt.shutdown();
    });

    function thrown(f: () => unknown): SerializationError {
      try {
        f();
      } catch (err) {
        expect(err).toBeInstanceOf(SerializationError);
        expect((err as SerializationError).code).toBe('ERR_SKEIN_SERIALIZATION');
        return err as SerializationError;
      }
      throw new Error('spawn did not throw');
    }

    it('throws SerializationError from spawn for a function, naming the argument and its type', () => {
      const err = thrown(() => rt.spawn(argsOf, 1, function onData() {}));
      expect(err.message).toMatch(/argument 2 \(a function \(onData\)\) of task/);
      expect(thrown(() => rt.spawn(echo, { nested: [() => 1] })).message).toMatch(/argument 1 \(a function/);
    });

    it('throws SerializationError for a socket, naming it', () => {
      const socket = new Socket();
      try {
        expect(thrown(() => rt.spawn(argsOf, 'x', socket)).message).toMatch(/argument 2 \(a Socket\)/);
      } finally {
        socket.destroy();
      }
    });

    it('throws for a symbol, and from the free spawn() too', async () => {
      expect(thrown(() => rt.spawn(echo, Symbol('s'))).message).toMatch(/argument 1 \(a symbol\)/);
      await rt.blockOn(() => {
        thrown(() => spawn(echo, new Map([[1, () => 2]])));
      });
    });

    it('accepts plain data and class instances with methods', async () => {
      const date = new Date(0);
      expect(
        await rt.spawn(echo, { a: [1, 'b', null], m: new Map([[1, new Set([2])]]), date, bytes: new Uint8Array(2) }),
      ).toEqual({ a: [1, 'b', null], m: new Map([[1, new Set([2])]]), date, bytes: new Uint8Array(2) });
      const back = await rt.spawn(echo, new Point(3, 4));
      expect(back).toMatchObject({ x: 3, y: 4 });
    });
  });
}

describe('a class instance argument on the multi-thread flavour', () => {
  it('arrives as a plain object (structured clone), without its methods', async () => {
    const rt = await multiThread(1);
    try {
      const back = await rt.spawn(echo, new Point(3, 4));
      expect(back).toEqual({ x: 3, y: 4 });
      expect(back).not.toBeInstanceOf(Point);
      expect((back as { norm?: unknown }).norm).toBeUndefined();
    } finally {
      await rt.shutdown();
    }
  });
});
