import { describe, expect, it } from 'vitest';
import { NoRuntimeError, Runtime, interval, sleep, spawn, timeout } from '@skein/core';

function messageOf(f: () => unknown): string {
  try {
    f();
  } catch (err) {
    expect(err).toBeInstanceOf(NoRuntimeError);
    return (err as Error).message;
  }
  throw new Error('did not throw');
}

describe('NoRuntimeError says how to call the function from outside a task', () => {
  it('suggests only Runtime methods that exist', () => {
    const methods = new Set(Object.getOwnPropertyNames(Runtime.prototype));
    for (const [name, call] of [
      ['sleep', () => sleep(1)],
      ['timeout', () => timeout(1, Promise.resolve())],
      ['interval', () => interval(10)],
      ['spawn', () => spawn(() => 1)],
    ] as const) {
      const message = messageOf(call);
      for (const m of message.matchAll(/runtime\.(\w+)\(/g)) expect(methods, `${name}: ${message}`).toContain(m[1]);
      if (!methods.has(name)) expect(message).toContain(`runtime.blockOn(() => ${name}(...))`);
    }
  });
});
