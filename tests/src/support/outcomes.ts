/** What a call threw or a promise rejected with, and waiting for a condition. */

/** The error a promise rejects with (fails the test if it resolves). */
export async function rejection(p: PromiseLike<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (err) {
    return err;
  }
  throw new Error('expected a rejection');
}

/** The error `f` throws synchronously. */
export function thrown(f: () => unknown): unknown {
  try {
    f();
  } catch (err) {
    return err;
  }
  throw new Error('expected a throw');
}

/** What `f` threw synchronously or what its promise rejected with. */
export async function caught(f: () => unknown): Promise<unknown> {
  try {
    await f();
  } catch (error) {
    return error;
  }
  throw new Error('expected the call to throw or reject, but it succeeded');
}

/** Resolves once `pred()` is true (polled on real time); rejects after `ms`. */
export async function waitFor(pred: () => boolean | Promise<boolean>, ms = 5000, what = 'condition'): Promise<void> {
  const end = Date.now() + ms;
  while (!(await pred())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 2));
  }
}

/**
 * Where `await x` resumes among a chain of three reactions queued just after it: the same
 * order as for `Promise.resolve(v)` means the await took V8's native path for a settled
 * promise (no `then` call, no extra microtasks).
 */
export async function awaitPosition(x: PromiseLike<unknown>): Promise<string[]> {
  const order: string[] = [];
  const awaited = (async () => {
    order.push(`got ${String(await x)}`);
  })();
  void Promise.resolve()
    .then(() => order.push('1'))
    .then(() => order.push('2'))
    .then(() => order.push('3'));
  await awaited;
  await new Promise((r) => setImmediate(r));
  return order;
}
