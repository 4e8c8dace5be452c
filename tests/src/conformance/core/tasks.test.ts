import { describe, expect, it } from 'vitest';
import {
  AbortHandle,
  Cancelled,
  JoinError,
  JoinHandle,
  NoRuntimeError,
  SkeinError,
  currentTask,
  sleep,
  spawn,
  spawnLocal,
  task,
  taskLocal,
  time,
  yieldNow,
} from '@skein/core';
import { captureLogger, caught, realDelay, run, runPaused } from './helpers.js';

/** A task definition; in the current-thread flavour it runs on this thread. */
export const double = task(import.meta, function double(n: number): number {
  return n * 2;
});

describe('spawn', () => {
  it('returns a JoinHandle that resolves with the task value (sync and async closures)', async () => {
    await run(async () => {
      const a = spawn(() => 1);
      const b = spawn(async () => {
        await sleep(1);
        return 'two';
      });
      expect(a).toBeInstanceOf(JoinHandle);
      expect(await a).toBe(1);
      expect(await b).toBe('two');
    });
  });

  it('a task() definition spawns with its arguments', async () => {
    await run(async () => {
      expect(await spawn(double, 21)).toBe(42);
    });
  });

  it('JoinHandle is PromiseLike: then() delivers the value, to every awaiter', async () => {
    await run(async () => {
      const h = spawn(async () => {
        await sleep(1);
        return 'v';
      });
      const got = await new Promise((resolve) => {
        h.then(resolve);
      });
      expect(got).toBe('v');
      expect(await h).toBe('v');
      const f = spawn(() => {
        throw new Error('f');
      });
      const [a, b] = await Promise.all([caught(() => f), caught(() => f)]);
      expect(a).toBeInstanceOf(JoinError);
      expect(b).toBeInstanceOf(JoinError);
    });
  });

  it('the task does not run synchronously inside spawn()', async () => {
    await run(async () => {
      const order: string[] = [];
      const h = spawn(() => {
        order.push('task');
      });
      order.push('after spawn');
      await h;
      expect(order).toEqual(['after spawn', 'task']);
    });
  });

  it('handle ids are distinct numbers and equal currentTask().id inside the task', async () => {
    await run(async () => {
      const handles = [0, 1, 2].map(() => spawn(() => currentTask()!.id));
      const ids = handles.map((h) => h.id);
      expect(new Set(ids).size).toBe(3);
      for (const h of handles) {
        expect(typeof h.id).toBe('number');
        expect(await h).toBe(h.id);
      }
    });
  });

  it('currentTask() is undefined outside any runtime', () => {
    expect(currentTask()).toBeUndefined();
  });

  it('currentTask() is visible after foreign awaits inside the task', async () => {
    await run(async () => {
      const h = spawn(async () => {
        await realDelay(2);
        await new Promise<void>((r) => setImmediate(r));
        return currentTask()?.id;
      });
      expect(await h).toBe(h.id);
    });
  });

  it('isFinished() is false while running and true once it completed', async () => {
    await runPaused(async () => {
      const h = spawn(async () => {
        await sleep(10);
        return 1;
      });
      expect(h.isFinished()).toBe(false);
      await sleep(5);
      expect(h.isFinished()).toBe(false);
      expect(await h).toBe(1);
      expect(h.isFinished()).toBe(true);
    });
  });

  it('spawnLocal runs a closure on this thread and joins like spawn', async () => {
    await run(async () => {
      const outer = currentTask();
      const h = spawnLocal(async () => {
        await sleep(1);
        return currentTask()!.id;
      });
      expect(h).toBeInstanceOf(JoinHandle);
      expect(await h).toBe(h.id);
      expect(h.id).not.toBe(outer?.id);
    });
  });

  it('spawn with a non-function throws a coded TypeError', async () => {
    await run(() => {
      let err: unknown;
      try {
        spawn(42 as never);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(TypeError);
      expect(typeof (err as { code?: unknown }).code).toBe('string');
    });
  });

  it('spawnLocal outside any runtime throws NoRuntimeError', () => {
    expect(() => spawnLocal(() => 1)).toThrow(NoRuntimeError);
  });
});

describe('JoinError from a panicking task', () => {
  it('a throwing task rejects its handle with JoinError isPanic(), the thrown value as cause', async () => {
    await run(async () => {
      const boom = new Error('boom');
      const h = spawn(async () => {
        await sleep(1);
        throw boom;
      });
      const err = await caught(() => h);
      expect(err).toBeInstanceOf(JoinError);
      expect(err).toBeInstanceOf(SkeinError);
      const je = err as JoinError;
      expect(je.isPanic()).toBe(true);
      expect(je.isCancelled()).toBe(false);
      expect(je.cause).toBe(boom);
      expect(je.taskId).toBe(h.id);
      expect(je.code).toBe('ERR_SKEIN_JOIN_PANIC');
      expect(h.isFinished()).toBe(true);
    });
  });

  it('a synchronous throw and a thrown non-Error are panics too', async () => {
    await run(async () => {
      const e1 = await caught(() =>
        spawn(() => {
          throw new TypeError('sync');
        }),
      );
      expect((e1 as JoinError).isPanic()).toBe(true);
      expect((e1 as JoinError).cause).toBeInstanceOf(TypeError);
      const e2 = await caught(() =>
        spawn(async () => {
          throw 17;
        }),
      );
      expect(e2).toBeInstanceOf(JoinError);
      expect((e2 as JoinError).cause).toBe(17);
    });
  });

  it('an unawaited failing handle is not an unhandled rejection; the runtime logs it', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => {
      unhandled.push(reason);
    };
    process.on('unhandledRejection', onUnhandled);
    const { logger, lines } = captureLogger();
    try {
      await run(
        async () => {
          spawn(async () => {
            throw new Error('nobody awaits me');
          });
          spawn(() => {
            throw new Error('nobody awaits me either');
          });
          await sleep(5);
          await realDelay(20);
          await new Promise<void>((r) => setImmediate(r));
        },
        { logger },
      );
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
    expect(unhandled).toEqual([]);
    const text = JSON.stringify(lines);
    expect(text).toContain('nobody awaits me');
    expect(text).toContain('nobody awaits me either');
  });
});

describe('abort', () => {
  it('rejects the handle with JoinError isCancelled(); the pending runtime await rejects with Cancelled', async () => {
    await runPaused(async () => {
      let inner: unknown;
      let cleaned = false;
      const h = spawn(async () => {
        try {
          await sleep(1_000);
        } catch (e) {
          inner = e;
          throw e;
        } finally {
          cleaned = true;
        }
      });
      await sleep(1);
      h.abort();
      const err = await caught(() => h);
      expect(err).toBeInstanceOf(JoinError);
      const je = err as JoinError;
      expect(je.isCancelled()).toBe(true);
      expect(je.isPanic()).toBe(false);
      expect(je.taskId).toBe(h.id);
      expect(je.code).toBe('ERR_SKEIN_JOIN_CANCELLED');
      expect(h.isFinished()).toBe(true);
      await yieldNow();
      expect(inner).toBeInstanceOf(Cancelled);
      expect((inner as Cancelled).code).toBe('ERR_SKEIN_CANCELLED');
      expect(cleaned).toBe(true);
    });
  });

  it('every later runtime await of an aborted task rejects with Cancelled too', async () => {
    await runPaused(async () => {
      const errors: unknown[] = [];
      let done = false;
      const h = spawn(async () => {
        try {
          await sleep(1_000);
        } catch (e) {
          errors.push(e);
        }
        try {
          await sleep(1);
        } catch (e) {
          errors.push(e);
        }
        try {
          await yieldNow();
        } catch (e) {
          errors.push(e);
        }
        done = true;
      });
      await sleep(1);
      h.abort();
      await caught(() => h);
      for (let i = 0; i < 5 && !done; i++) await yieldNow();
      expect(done).toBe(true);
      expect(errors).toHaveLength(3);
      for (const e of errors) expect(e).toBeInstanceOf(Cancelled);
    });
  });

  it('the handle rejects promptly even when the task is stuck on a foreign promise', async () => {
    await run(async () => {
      let release!: () => void;
      const gate = new Promise<void>((r) => {
        release = r;
      });
      let finished = false;
      const h = spawn(async () => {
        await gate;
        finished = true;
        return 'late';
      });
      await yieldNow();
      h.abort();
      const err = await caught(() => h);
      expect(err).toBeInstanceOf(JoinError);
      expect((err as JoinError).isCancelled()).toBe(true);
      // the function keeps unwinding after the handle settled; its value is discarded
      release();
      await yieldNow();
      expect(finished).toBe(true);
      expect(((await caught(() => h)) as JoinError).isCancelled()).toBe(true);
    });
  });

  it('aborts currentTask().signal', async () => {
    await runPaused(async () => {
      let signal: AbortSignal | undefined;
      let fired = 0;
      const h = spawn(async () => {
        signal = currentTask()!.signal;
        signal.addEventListener('abort', () => {
          fired++;
        });
        await sleep(1_000);
      });
      await sleep(1);
      expect(signal).toBeInstanceOf(AbortSignal);
      expect(signal!.aborted).toBe(false);
      h.abort();
      await caught(() => h);
      expect(signal!.aborted).toBe(true);
      expect(fired).toBe(1);
    });
  });

  it('a task aborted before it started never runs', async () => {
    await run(async () => {
      let ran = false;
      const h = spawn(() => {
        ran = true;
      });
      h.abort();
      const err = await caught(() => h);
      expect((err as JoinError).isCancelled()).toBe(true);
      await yieldNow();
      await sleep(1);
      expect(ran).toBe(false);
    });
  });

  it('a task may abort itself: its next runtime await rejects with Cancelled', async () => {
    await run(async () => {
      let reached = false;
      let inner: unknown;
      const h: JoinHandle<void> = spawn(async () => {
        h.abort();
        try {
          await sleep(1);
          reached = true;
        } catch (e) {
          inner = e;
        }
      });
      const err = await caught(() => h);
      expect((err as JoinError).isCancelled()).toBe(true);
      await yieldNow();
      expect(reached).toBe(false);
      expect(inner).toBeInstanceOf(Cancelled);
    });
  });

  it("aborting a task that awaits another task's handle leaves the other task running", async () => {
    await runPaused(async () => {
      const inner = spawn(async () => {
        await sleep(20);
        return 'inner';
      });
      const outer = spawn(() => inner);
      await sleep(1);
      outer.abort();
      expect(((await caught(() => outer)) as JoinError).isCancelled()).toBe(true);
      expect(await inner).toBe('inner');
    });
  });

  it('aborting a finished task changes nothing', async () => {
    await run(async () => {
      const h = spawn(() => 'done');
      expect(await h).toBe('done');
      h.abort();
      expect(await h).toBe('done');
      expect(h.isFinished()).toBe(true);
    });
  });

  it('abortHandle() shares id, abort() and isFinished() with the JoinHandle', async () => {
    await runPaused(async () => {
      const h = spawn(async () => {
        await sleep(1_000);
      });
      const ah = h.abortHandle();
      expect(ah).toBeInstanceOf(AbortHandle);
      expect(ah.id).toBe(h.id);
      expect(ah.isFinished()).toBe(false);
      await sleep(1);
      ah.abort();
      const err = await caught(() => h);
      expect((err as JoinError).isCancelled()).toBe(true);
      expect(ah.isFinished()).toBe(true);
    });
  });

  it('aborting a task does not abort the task that spawned it', async () => {
    await runPaused(async () => {
      const parent = spawn(async () => {
        const child = spawn(async () => {
          await sleep(100);
        });
        await sleep(1);
        child.abort();
        const e = await caught(() => child);
        await sleep(10);
        return [(e as JoinError).isCancelled(), currentTask()!.signal.aborted];
      });
      expect(await parent).toEqual([true, false]);
    });
  });
});

describe('yieldNow', () => {
  it('gives the event loop a turn: an already queued setImmediate runs first', async () => {
    await run(async () => {
      let fired = false;
      setImmediate(() => {
        fired = true;
      });
      await yieldNow();
      expect(fired).toBe(true);
    });
  });

  it('interleaves runnable tasks', async () => {
    await run(async () => {
      const log: string[] = [];
      const a = spawn(async () => {
        log.push('a1');
        await yieldNow();
        log.push('a2');
      });
      const b = spawn(async () => {
        log.push('b1');
        await yieldNow();
        log.push('b2');
      });
      await a;
      await b;
      expect(log).toEqual(['a1', 'b1', 'a2', 'b2']);
    });
  });
});

describe('taskLocal', () => {
  it('scope(value, fn) makes get() return the value and returns what fn returns', async () => {
    await run(async () => {
      const REQ = taskLocal<string>();
      const out = await REQ.scope('req-1', async () => `${REQ.get()}!`);
      expect(out).toBe('req-1!');
    });
  });

  it('stays visible across runtime and foreign awaits inside the scope', async () => {
    await run(async () => {
      const L = taskLocal<number>();
      const seen: number[] = [];
      await L.scope(7, async () => {
        seen.push(L.get());
        await sleep(1);
        seen.push(L.get());
        await realDelay(1);
        seen.push(L.get());
        await new Promise<void>((r) => setImmediate(r));
        seen.push(L.get());
        await Promise.resolve();
        await yieldNow();
        seen.push(L.get());
      });
      expect(seen).toEqual([7, 7, 7, 7, 7]);
    });
  });

  it('get() throws outside a scope; tryGet() returns undefined', async () => {
    await run(async () => {
      const L = taskLocal<number>();
      expect(() => L.get()).toThrow(SkeinError);
      expect(L.tryGet()).toBeUndefined();
      await L.scope(1, () => {
        expect(L.tryGet()).toBe(1);
      });
      expect(L.tryGet()).toBeUndefined();
    });
  });

  it('scope() rethrows what fn throws and leaves the scope', async () => {
    await run(async () => {
      const L = taskLocal<number>();
      const boom = new Error('boom');
      const err = await caught(() =>
        L.scope(1, async () => {
          await sleep(1);
          throw boom;
        }),
      );
      expect(err).toBe(boom);
      expect(L.tryGet()).toBeUndefined();
    });
  });

  it('nested scopes shadow and restore the outer value', async () => {
    await run(async () => {
      const L = taskLocal<string>();
      const seen: string[] = [];
      await L.scope('outer', async () => {
        seen.push(L.get());
        await L.scope('inner', async () => {
          await sleep(1);
          seen.push(L.get());
        });
        seen.push(L.get());
      });
      expect(seen).toEqual(['outer', 'inner', 'outer']);
    });
  });

  it('concurrent tasks each see their own value', async () => {
    await runPaused(async () => {
      const L = taskLocal<string>();
      const mk = (v: string, d: number) =>
        spawn(() =>
          L.scope(v, async () => {
            await sleep(d);
            const a = L.get();
            await yieldNow();
            return a + L.get();
          }),
        );
      const [x, y] = [mk('x', 20), mk('y', 10)];
      expect(await x).toBe('xx');
      expect(await y).toBe('yy');
    });
  });

  it('is not inherited by a task spawned inside the scope (Tokio task_local)', async () => {
    await run(async () => {
      const L = taskLocal<number>();
      const inner = await L.scope(5, () => spawn(() => L.tryGet()));
      expect(inner).toBeUndefined();
    });
  });
});

describe('paused clock across tasks', () => {
  it('time.advance wakes sleepers in deadline order', async () => {
    await run(async () => {
      time.pause();
      const order: number[] = [];
      const hs = [30, 10, 20].map((d) =>
        spawn(async () => {
          await sleep(d);
          order.push(d);
        }),
      );
      await yieldNow(); // let the tasks start and register their sleeps
      await time.advance(30);
      for (const h of hs) await h;
      expect(order).toEqual([10, 20, 30]);
    });
  });
});
