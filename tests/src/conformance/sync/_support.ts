/**
 * Shared helpers for the sync conformance suite. Black-box: everything comes from the
 * public `@skein/core` exports, as a user would import it.
 */
import { expect } from 'vitest';
import { Runtime, SkeinError, yieldNow } from '@skein/core';

/** Build a current-thread runtime (optionally with a paused clock), run `fn` as the root task, shut down. */
export async function withRuntime<T>(fn: () => Promise<T>, opts: { paused?: boolean } = {}): Promise<T> {
  let builder = Runtime.builder().currentThread();
  if (opts.paused) builder = builder.startPaused(true);
  const rt = await builder.build();
  try {
    return await rt.blockOn(fn);
  } finally {
    await rt.shutdown();
  }
}

/** Give every ready task several turns, so spawned tasks reach their next wait. */
export async function settle(turns = 6): Promise<void> {
  for (let i = 0; i < turns; i++) await yieldNow();
}

/** The error a synchronous call throws (fails the test when it does not throw). */
export function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (err) {
    return err;
  }
  throw new Error('expected the call to throw, but it returned');
}

/** The reason a promise rejects with (fails the test when it resolves). */
export async function rejection(p: PromiseLike<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (err) {
    return err;
  }
  throw new Error('expected the promise to reject, but it resolved');
}

/** Assert `err` is a `Cls` that extends SkeinError with the exact stable `code`. */
export function expectSkein<E>(err: unknown, Cls: abstract new (...args: never[]) => E, code: string): E {
  expect(err).toBeInstanceOf(Cls);
  expect(err).toBeInstanceOf(SkeinError);
  expect(err).toBeInstanceOf(Error);
  expect((err as SkeinError).code).toBe(code);
  return err as E;
}

/** A promise that records whether it settled, for "still pending" assertions. */
export function track<T>(p: PromiseLike<T>): {
  settled: () => boolean;
  value: () => T | undefined;
  error: () => unknown;
  promise: Promise<T>;
} {
  let done = false;
  let val: T | undefined;
  let err: unknown;
  const promise = Promise.resolve(p).then(
    (v) => {
      done = true;
      val = v;
      return v;
    },
    (e: unknown) => {
      done = true;
      err = e;
      throw e;
    },
  );
  promise.catch(() => {});
  return { settled: () => done, value: () => val, error: () => err, promise };
}
