/**
 * Tasks: spawning closures and task() definitions, JoinHandles, currentTask, panics, abort
 * semantics and yieldNow.
 */
import { describe, it, expect, beforeEach, afterEach } from 'vitest';
import {
  Runtime,
  spawn,
  spawnLocal,
  sleep,
  yieldNow,
  currentTask,
  task,
  JoinError,
  JoinHandle,
  AbortHandle,
  Cancelled,
  SkeinError,
  Notify,
} from '@skein/core';
import { add, slowDouble, whoAmI, fails } from '../runtime/fixtures/tasks.js';
import { captureLogs } from '../../support/logs.js';

const never = <T = never>(): Promise<T> => new Promise<T>(() => {});

/** Settle a handle into its error (or null), without an unhandled rejection. */
const errorOf = (p: PromiseLike<unknown>): Promise<unknown> =>
  Promise.resolve(p).then(
    () => null,
    (e: unknown) => e,
  );

let rt: Runtime;
beforeEach(async () => {
  rt = await Runtime.builder().logger('silent').build();
});
afterEach(async () => {
  await rt.shutdown();
});

describe('spawning', () => {
  it('spawns closures, sync and async, and joins their values', async () => {
    await rt.blockOn(async () => {
      const a = spawn(() => 1);
      const b = spawn(async () => {
        await sleep(1);
        return 'two';
      });
      const c = spawnLocal(async () => [3]);
      expect(a).toBeInstanceOf(JoinHandle);
      expect(await a).toBe(1);
      expect(await b).toBe('two');
      expect(await c).toEqual([3]);
    });
  });

  it('a closure returning a foreign thenable settles by it; a throwing or non-function `then` too', async () => {
    await rt.blockOn(async () => {
      // Thenables a plain (not async) function may return, as a library's own promise type.
      const foreign = (t: object) => t as PromiseLike<unknown>;
      const fulfils = spawn(() => foreign({ then: (ok: (v: number) => void) => queueMicrotask(() => ok(7)) }));
      const rejects = spawn(() => foreign({ then: (_: unknown, no: (e: unknown) => void) => no('nope') }));
      const throwing = spawn(() =>
        foreign({
          get then(): never {
            throw new Error('then getter');
          },
        }),
      );
      const plain = { then: 5 };
      const notThenable = spawn(() => plain);
      expect(await fulfils).toBe(7);
      const r = await errorOf(rejects);
      expect(r).toBeInstanceOf(JoinError);
      expect((r as JoinError).isPanic() && (r as JoinError).cause).toBe('nope');
      const t = await errorOf(throwing);
      expect(((t as JoinError).cause as Error).message).toBe('then getter');
      // JoinHandle itself is awaited through `then`, so wrap the value to see it whole.
      expect(await spawn(async () => [await notThenable])).toEqual([plain]);
    });
  });

  it('spawns task() definitions with arguments', async () => {
    await rt.blockOn(async () => {
      expect(await spawn(add, 20, 22)).toBe(42);
      expect(await spawn(slowDouble, 21, 5)).toBe(42);
      const h = spawn(whoAmI);
      expect(await h).toBe(h.id);
    });
  });

  it('runtime.spawn / spawnLocal work from outside the runtime', async () => {
    const h1 = rt.spawn(() => 'closure');
    const h2 = rt.spawn(add, 1, 2);
    const h3 = rt.spawnLocal(async () => {
      await sleep(1);
      return 'local';
    });
    expect(await h1).toBe('closure');
    expect(await h2).toBe(3);
    expect(await h3).toBe('local');
  });

  it('a task() definition resolves its export name', async () => {
    expect(await add.resolveName()).toBe('add');
    expect(add.url).toMatch(/fixtures\/tasks\.ts$/);
    expect(() => task({} as ImportMeta, () => 1)).toThrow(TypeError);
  });

  it('a non-function spawn argument throws a coded TypeError', async () => {
    await rt.blockOn(() => {
      for (const bad of [42, 'x', null, undefined, {}]) {
        let err: unknown;
        try {
          spawn(bad as never);
        } catch (e) {
          err = e;
        }
        expect(err).toBeInstanceOf(TypeError);
        expect((err as { code?: string }).code).toBe('ERR_INVALID_ARG_TYPE');
        err = undefined;
        try {
          spawnLocal(bad as never);
        } catch (e) {
          err = e;
        }
        expect(err).toBeInstanceOf(TypeError);
        expect((err as { code?: string }).code).toBe('ERR_INVALID_ARG_TYPE');
      }
    });
    expect(() => rt.spawn(5 as never)).toThrow(TypeError);
  });

  it('a spawned task does not start before the spawner yields', async () => {
    await rt.blockOn(async () => {
      let started = false;
      const h = spawn(() => {
        started = true;
      });
      expect(started).toBe(false);
      await h;
      expect(started).toBe(true);
    });
  });
});

describe('JoinHandle and currentTask', () => {
  it('currentTask().id equals the handle id; ids are unique', async () => {
    await rt.blockOn(async () => {
      const hs = Array.from({ length: 10 }, () => spawn(() => currentTask()!.id));
      const ids = await Promise.all(hs);
      expect(ids).toEqual(hs.map((h) => h.id));
      expect(new Set(ids).size).toBe(10);
      expect(typeof currentTask()!.id).toBe('number');
    });
  });

  it('isFinished flips when the task has an outcome', async () => {
    await rt.blockOn(async () => {
      const h = spawn(async () => {
        await sleep(5);
        return 1;
      });
      expect(h.isFinished()).toBe(false);
      await sleep(1);
      expect(h.isFinished()).toBe(false);
      await h;
      expect(h.isFinished()).toBe(true);
    });
  });

  it('abortHandle() aborts the task and reports the same id and state', async () => {
    await rt.blockOn(async () => {
      const h = spawn(() => sleep(1e9));
      const ah = h.abortHandle();
      expect(ah).toBeInstanceOf(AbortHandle);
      expect(ah.id).toBe(h.id);
      expect(ah.isFinished()).toBe(false);
      await yieldNow();
      ah.abort();
      expect(ah.isFinished()).toBe(true);
      expect(h.isFinished()).toBe(true);
      const e = await errorOf(h);
      expect((e as JoinError).isCancelled()).toBe(true);
    });
  });

  it('a handle can be awaited many times and by many tasks', async () => {
    await rt.blockOn(async () => {
      const h = spawn(async () => {
        await sleep(2);
        return 'v';
      });
      const joiners = [spawn(async () => await h), spawn(async () => await h), spawn(async () => await h)];
      expect(await Promise.all(joiners)).toEqual(['v', 'v', 'v']);
      expect(await h).toBe('v');
      expect(await h).toBe('v');
    });
  });

  it('currentTask().signal aborts when the task is aborted', async () => {
    await rt.blockOn(async () => {
      let signal: AbortSignal | undefined;
      const h = spawn(async () => {
        signal = currentTask()!.signal;
        await sleep(1e9);
      });
      await yieldNow();
      expect(signal!.aborted).toBe(false);
      let fired = false;
      signal!.addEventListener('abort', () => {
        fired = true;
      });
      h.abort();
      expect(signal!.aborted).toBe(true);
      expect(fired).toBe(true);
    });
  });
});

describe('panics', () => {
  it('a throwing task is a panic: JoinError isPanic with the thrown value as cause and taskId', async () => {
    await rt.blockOn(async () => {
      const boom = new Error('boom');
      const h1 = spawn(async () => {
        await sleep(1);
        throw boom;
      });
      const h2 = spawn(() => {
        throw boom;
      }); // synchronous throw
      const h3 = spawn(fails, 'from def');
      for (const h of [h1, h2]) {
        const e = await errorOf(h);
        expect(e).toBeInstanceOf(JoinError);
        expect(e).toBeInstanceOf(SkeinError);
        const je = e as JoinError;
        expect(je.isPanic()).toBe(true);
        expect(je.isCancelled()).toBe(false);
        expect(je.cause).toBe(boom);
        expect(je.taskId).toBe(h.id);
      }
      const e3 = (await errorOf(h3)) as JoinError;
      expect(e3.isPanic()).toBe(true);
      expect((e3.cause as Error).message).toBe('from def');
    });
  });

  it('an aborted task gives JoinError isCancelled with taskId and no panic', async () => {
    await rt.blockOn(async () => {
      const h = spawn(() => sleep(1e9));
      h.abort();
      const e = (await errorOf(h)) as JoinError;
      expect(e).toBeInstanceOf(JoinError);
      expect(e.isCancelled()).toBe(true);
      expect(e.isPanic()).toBe(false);
      expect(e.taskId).toBe(h.id);
    });
  });

  it('an unawaited failed handle is logged through pino and is never an unhandledRejection', async () => {
    const log = captureLogs('debug');
    const rt2 = await Runtime.builder().logger(log.logger).build();
    const rejections: unknown[] = [];
    const onRejection = (r: unknown): void => {
      rejections.push(r);
    };
    process.on('unhandledRejection', onRejection);
    try {
      const id = await rt2.blockOn(async () => {
        const h = spawn(async () => {
          await sleep(1);
          throw new Error('nobody listens');
        });
        const h2 = spawn(() => {
          throw new Error('sync nobody listens');
        });
        void h2;
        const aborted = spawn(() => sleep(1e9));
        aborted.abort(); // a cancellation is not a panic: not logged
        await sleep(10);
        return h.id;
      });
      // Give the runtime's deferred "never awaited" check and any rejection tracking a turn.
      await new Promise((r) => setTimeout(r, 20));
      const panics = log.lines.filter((l) => l.level === 50 && /never awaited/.test(String(l.msg)));
      expect(panics).toHaveLength(2);
      const line = panics.find((l) => l.taskId === id);
      expect(line).toBeDefined();
      expect((line!.err as { message: string }).message).toBe('nobody listens');
      expect(rejections).toEqual([]);
    } finally {
      process.off('unhandledRejection', onRejection);
      await rt2.shutdown();
    }
  });

  it('an awaited failed handle is not logged', async () => {
    const log = captureLogs('debug');
    const rt2 = await Runtime.builder().logger(log.logger).build();
    await rt2.blockOn(async () => {
      const h = spawn(async () => {
        await sleep(1);
        throw new Error('seen');
      });
      await errorOf(h);
      // Awaited before it fails: observed, so not logged either.
      const h2 = spawn(async () => {
        await sleep(2);
        throw new Error('seen later');
      });
      await sleep(1);
      await errorOf(h2);
    });
    await new Promise((r) => setTimeout(r, 20));
    expect(log.lines.filter((l) => l.level === 50)).toEqual([]);
    await rt2.shutdown();
  });

  it('a throwing task never crashes the process or the runtime', async () => {
    const exceptions: unknown[] = [];
    const onException = (e: unknown): void => {
      exceptions.push(e);
    };
    process.on('uncaughtException', onException);
    try {
      await rt.blockOn(async () => {
        for (let i = 0; i < 5; i++)
          spawn(() => {
            throw new Error(`sync ${i}`);
          });
        for (let i = 0; i < 5; i++)
          spawn(async () => {
            await yieldNow();
            throw new Error(`async ${i}`);
          });
        await sleep(5);
        // The runtime still works.
        expect(await spawn(() => 'alive')).toBe('alive');
      });
      await new Promise((r) => setTimeout(r, 10));
      expect(exceptions).toEqual([]);
    } finally {
      process.off('uncaughtException', onException);
    }
  });
});

describe('abort', () => {
  it('the pending runtime await rejects with Cancelled and finally blocks run', async () => {
    await rt.blockOn(async () => {
      const events: string[] = [];
      const h = spawn(async () => {
        try {
          await sleep(1e9);
          events.push('after sleep');
        } catch (e) {
          events.push(e instanceof Cancelled ? 'cancelled' : 'other');
          throw e;
        } finally {
          events.push('finally');
        }
      });
      await yieldNow();
      h.abort();
      await expect(h).rejects.toBeInstanceOf(JoinError);
      await yieldNow();
      expect(events).toEqual(['cancelled', 'finally']);
    });
  });

  it('every later runtime await rejects with Cancelled too', async () => {
    await rt.blockOn(async () => {
      const outcomes: string[] = [];
      const finished = spawn(() => 'done');
      await finished;
      const h = spawn(async () => {
        try {
          await sleep(1e9);
        } catch {
          outcomes.push('sleep');
        }
        try {
          await sleep(1);
          outcomes.push('sleep2 resolved');
        } catch (e) {
          outcomes.push(e instanceof Cancelled ? 'sleep2' : 'x');
        }
        try {
          await yieldNow();
          outcomes.push('yield resolved');
        } catch (e) {
          outcomes.push(e instanceof Cancelled ? 'yield' : 'x');
        }
        try {
          await spawn(() => 1);
          outcomes.push('spawn resolved');
        } catch (e) {
          outcomes.push(e instanceof Error ? e.constructor.name : 'x');
        }
        // Awaiting an already-finished handle is a runtime await as well.
        try {
          await finished;
          outcomes.push('join resolved');
        } catch (e) {
          outcomes.push(e instanceof Cancelled ? 'join' : 'x');
        }
      });
      await yieldNow();
      h.abort();
      await sleep(5);
      expect(outcomes[0]).toBe('sleep');
      expect(outcomes[1]).toBe('sleep2');
      expect(outcomes[2]).toBe('yield');
      // Spawning from an aborted task is allowed (Tokio allows it); awaiting the new handle
      // is a runtime await, so it is cancelled.
      expect(outcomes[3]).toBe('Cancelled');
      expect(outcomes[4]).toBe('join');
    });
  });

  it('the handle rejects at once even when the task is stuck on a foreign promise', async () => {
    await rt.blockOn(async () => {
      let bodyDone = false;
      const h = spawn(async () => {
        await never();
        bodyDone = true;
      });
      await yieldNow();
      h.abort();
      expect(h.isFinished()).toBe(true);
      const e = (await errorOf(h)) as JoinError;
      expect(e.isCancelled()).toBe(true);
      expect(bodyDone).toBe(false);
    });
  });

  it("the task's AbortSignal reaches foreign APIs", async () => {
    await rt.blockOn(async () => {
      let reason: unknown;
      const h = spawn(async () => {
        const signal = currentTask()!.signal;
        await new Promise<void>((_, reject) => signal.addEventListener('abort', () => reject(signal.reason)));
      });
      const watcher = spawn(async () => {
        try {
          await h;
        } catch (e) {
          reason = e;
        }
      });
      await yieldNow();
      h.abort();
      await watcher;
      expect((reason as JoinError).isCancelled()).toBe(true);
    });
  });

  it('an aborted queued task never starts', async () => {
    await rt.blockOn(async () => {
      let started = false;
      const h = spawn(() => {
        started = true;
      });
      h.abort();
      const e = (await errorOf(h)) as JoinError;
      expect(e.isCancelled()).toBe(true);
      await sleep(2);
      expect(started).toBe(false);
    });
  });

  it('abort of a finished task does nothing', async () => {
    await rt.blockOn(async () => {
      const h = spawn(() => 5);
      expect(await h).toBe(5);
      h.abort();
      expect(await h).toBe(5);
    });
  });

  it('a task that catches Cancelled and returns is still reported cancelled', async () => {
    await rt.blockOn(async () => {
      const h = spawn(async () => {
        try {
          await sleep(1e9);
        } catch {
          return 'swallowed';
        }
        return 'normal';
      });
      await yieldNow();
      h.abort();
      const e = (await errorOf(h)) as JoinError;
      expect(e.isCancelled()).toBe(true);
    });
  });

  it('aborting a task that awaits another task does not abort the other one', async () => {
    await rt.blockOn(async () => {
      // The inner task waits for a notification sent after the abort, so a slow machine
      // can't let it finish first (which would leave nothing to abort).
      const go = new Notify();
      const inner = spawn(async () => {
        await go.notified();
        return 'inner';
      });
      const outer = spawn(async () => await inner);
      await yieldNow();
      outer.abort();
      go.notifyOne();
      expect(((await errorOf(outer)) as JoinError).isCancelled()).toBe(true);
      expect(await inner).toBe('inner');
    });
  });
});

describe('yieldNow', () => {
  it('lets an already queued setImmediate run before the task continues', async () => {
    await rt.blockOn(async () => {
      for (let i = 0; i < 3; i++) {
        let ran = false;
        setImmediate(() => {
          ran = true;
        });
        await yieldNow();
        expect(ran).toBe(true);
      }
    });
  });

  it('lets timers run: a loop of yieldNow sees a setTimeout fire', async () => {
    await rt.blockOn(async () => {
      let fired = false;
      setTimeout(() => {
        fired = true;
      }, 0);
      let spins = 0;
      while (!fired && spins < 100_000) {
        await yieldNow();
        spins++;
      }
      expect(fired).toBe(true);
    });
  });

  it('outside a runtime it still yields to the event loop', async () => {
    let ran = false;
    setImmediate(() => {
      ran = true;
    });
    await yieldNow();
    expect(ran).toBe(true);
  });
});
