/**
 * What a runtime await hands to user code: a real Promise. Waiters are Promise subclasses
 * (so a sleeping task is one object), but `constructor` must read `Promise` on every kind,
 * or `await` leaves V8's native path (an extra tick per await) and `then` returns waiters.
 */
import { describe, expect, it } from 'vitest';
import { inspect } from 'node:util';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Mutex, Notify, Semaphore, mpsc, sleep, spawn, watch, yieldNow } from '@skein/core';
import { withRuntime } from '../sync/helpers.js';

function expectPlainPromise(p: Promise<unknown>): void {
  expect(p).toBeInstanceOf(Promise);
  expect(p.constructor).toBe(Promise);
  const derived = p.then(
    () => undefined,
    () => undefined,
  );
  expect(Object.getPrototypeOf(derived)).toBe(Promise.prototype);
}

describe('runtime awaits are plain promises to their users', () => {
  it('sleep, yieldNow, join and every waiting sync primitive', async () => {
    await withRuntime(async () => {
      const pending: Promise<unknown>[] = [];
      pending.push(sleep(1), yieldNow());
      const h = spawn(() => sleep(1));
      pending.push(h.then((v) => v));
      const m = new Mutex(0);
      const g = await m.lock();
      pending.push(m.lock());
      const s = new Semaphore(0);
      pending.push(s.acquire());
      const n = new Notify();
      pending.push(n.notified());
      const [tx, rx] = mpsc.channel<number>(1);
      pending.push(rx.recv());
      await tx.send(1);
      const [, wrx] = watch.channel(0);
      pending.push(wrx.changed());
      for (const p of pending) expectPlainPromise(p);
      g.release();
      s.addPermits(1);
      n.notifyOne();
      await Promise.all(pending.slice(0, 7));
    });
  });

  it("prints as a promise, not as the runtime's bookkeeping", async () => {
    await withRuntime(async () => {
      const p = sleep(1);
      // (Node 20 adds async_hooks' ids after `<pending>`.)
      expect(inspect(p, { depth: 0 })).toMatch(/^Promise \{\s+<pending>/);
      expect(inspect(p, { depth: 0 })).not.toMatch(/deadline|wheel|scope/);
      await p;
    });
  });

  it('importing @skein/core leaves async_hooks off (its Node 20 probe disables its storage again)', () => {
    const entry = fileURLToPath(new URL('../../../../packages/core/src/index.ts', import.meta.url));
    const script = `await import(${JSON.stringify(entry)}); console.log(Object.getOwnPropertySymbols(new Promise(() => {})).length);`;
    const out = execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      encoding: 'utf8',
    });
    expect(out.trim()).toBe('0');
  });
});
