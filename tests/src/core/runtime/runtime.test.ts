/**
 * The Runtime itself: building, blockOn, main(), shutdown and its variants, and the errors
 * that spawning outside or after a runtime produces.
 */
import { describe, it, expect, afterEach } from 'vitest';
import {
  Runtime,
  Builder,
  Handle,
  main,
  spawn,
  sleep,
  yieldNow,
  currentTask,
  JoinError,
  Cancelled,
  NoRuntimeError,
  RuntimeShutdownError,
  SkeinError,
} from '@skein/core';
import { captureLogs } from '../../support/logs.js';

const never = <T = never>(): Promise<T> => new Promise<T>(() => {});

/** A promise that settles after a few event-loop turns, outside any runtime await. */
const foreignDelay = (ms = 5): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('building', () => {
  it('builder().currentThread() and Runtime.currentThread() give a current-thread runtime', async () => {
    const b = Runtime.builder();
    expect(b).toBeInstanceOf(Builder);
    const a = await b.currentThread().build();
    const c = await Runtime.currentThread();
    const d = await Runtime.builder().build();
    expect(a).toBeInstanceOf(Runtime);
    expect(a.flavor).toBe('current_thread');
    expect(c.flavor).toBe('current_thread');
    expect(d.flavor).toBe('current_thread'); // the default flavour
    expect(a.handle()).toBeInstanceOf(Handle);
    expect(a.handle().flavor).toBe('current_thread');
    await Promise.all([a.shutdown(), c.shutdown(), d.shutdown()]);
  });

  it('builder setters validate at once: RangeError / TypeError with a code', () => {
    const expectCoded = (
      f: () => unknown,
      ctor: ErrorConstructor | RangeErrorConstructor | TypeErrorConstructor,
      code: string,
    ): void => {
      let err: unknown;
      try {
        f();
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(ctor);
      expect((err as { code?: string }).code).toBe(code);
    };
    expectCoded(() => Runtime.builder().workerThreads(0), RangeError, 'ERR_OUT_OF_RANGE');
    expectCoded(() => Runtime.builder().workerThreads(1.5), RangeError, 'ERR_OUT_OF_RANGE');
    expectCoded(() => Runtime.builder().workerThreads('2' as never), TypeError, 'ERR_INVALID_ARG_TYPE');
    expectCoded(() => Runtime.builder().maxBlockingThreads(-1), RangeError, 'ERR_OUT_OF_RANGE');
    expectCoded(() => Runtime.builder().threadKeepAlive(-5), RangeError, 'ERR_OUT_OF_RANGE');
    expectCoded(() => Runtime.builder().threadKeepAlive(Number.NaN), RangeError, 'ERR_OUT_OF_RANGE');
    expectCoded(() => Runtime.builder().eventInterval(0), RangeError, 'ERR_OUT_OF_RANGE');
    expectCoded(() => Runtime.builder().globalQueueInterval(0), RangeError, 'ERR_OUT_OF_RANGE');
    expectCoded(() => Runtime.builder().startPaused('yes' as never), TypeError, 'ERR_INVALID_ARG_TYPE');
    expectCoded(() => Runtime.builder().threadName(3 as never), TypeError, 'ERR_INVALID_ARG_TYPE');
    expectCoded(() => Runtime.builder().onThreadStart('x' as never), TypeError, 'ERR_INVALID_ARG_TYPE');
    expectCoded(() => Runtime.builder().logger(42 as never), TypeError, 'ERR_INVALID_ARG_TYPE');
  });

  it('onThreadStart / onThreadStop run on the main thread for the current-thread flavour', async () => {
    const seen: string[] = [];
    const rt = await Runtime.builder()
      .onThreadStart(({ worker }) => {
        seen.push(`start:${worker}`);
      })
      .onThreadStop(({ worker }) => {
        seen.push(`stop:${worker}`);
      })
      .build();
    expect(seen).toEqual(['start:main']);
    await rt.shutdown();
    expect(seen).toEqual(['start:main', 'stop:main']);
  });
});

describe('blockOn', () => {
  let rt: Runtime;
  afterEach(async () => {
    await rt.shutdown();
  });

  it('runs a thunk as the root task and resolves with its value', async () => {
    rt = await Runtime.currentThread();
    let insideTask = false;
    const v = await rt.blockOn(async () => {
      insideTask = currentTask() !== undefined;
      await sleep(1);
      return 'value';
    });
    expect(v).toBe('value');
    expect(insideTask).toBe(true);
    // A synchronous thunk works too.
    expect(await rt.blockOn(() => 7)).toBe(7);
  });

  it('awaits a promise', async () => {
    rt = await Runtime.currentThread();
    expect(await rt.blockOn(Promise.resolve(42))).toBe(42);
    expect(await rt.blockOn(foreignDelay(1).then(() => 'late'))).toBe('late');
  });

  it("rethrows the root's own error, unwrapped (the same object)", async () => {
    rt = await Runtime.currentThread();
    const boom = new Error('boom');
    const err1 = await rt
      .blockOn(async () => {
        await sleep(1);
        throw boom;
      })
      .then(
        () => null,
        (e: unknown) => e,
      );
    expect(err1).toBe(boom);
    const err2 = await rt
      .blockOn(() => {
        throw boom;
      })
      .then(
        () => null,
        (e: unknown) => e,
      );
    expect(err2).toBe(boom);
    const err3 = await rt.blockOn(Promise.reject(boom)).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err3).toBe(boom);
    // A non-Error thrown value is passed through as is.
    const err4 = await rt
      .blockOn(async () => {
        throw 'str';
      })
      .then(
        () => null,
        (e: unknown) => e,
      );
    expect(err4).toBe('str');
  });

  it('rejects a non-promise, non-function argument with a coded TypeError', async () => {
    rt = await Runtime.currentThread();
    const err = await rt.blockOn(42 as never).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(TypeError);
    expect((err as { code: string }).code).toBe('ERR_INVALID_ARG_TYPE');
  });

  it("Handle.current() inside a task is the runtime's handle", async () => {
    rt = await Runtime.currentThread();
    expect(Handle.tryCurrent()).toBeUndefined();
    expect(() => Handle.current()).toThrow(NoRuntimeError);
    const v = await rt.blockOn(async () => {
      const h = Handle.current();
      return await h.spawn(() => 'via handle');
    });
    expect(v).toBe('via handle');
  });
});

describe('main()', () => {
  it('resolves with the runtime shut down after fn returns', async () => {
    const saved = process.exitCode;
    let ran = false;
    let cleaned = false;
    try {
      await main(
        async () => {
          // A task left running when fn returns is aborted by main's shutdown.
          spawn(async () => {
            try {
              await sleep(1e9);
            } finally {
              cleaned = true;
            }
          });
          await sleep(1);
          ran = true;
        },
        { logger: 'silent' },
      );
      expect(ran).toBe(true);
      expect(cleaned).toBe(true);
      expect(process.exitCode).toBe(saved);
    } finally {
      process.exitCode = saved;
    }
  });

  it('logs the error through pino and sets process.exitCode = 1 when fn throws', async () => {
    const saved = process.exitCode;
    const log = captureLogs('debug');
    try {
      const boom = new Error('main exploded');
      await expect(
        main(
          async () => {
            await sleep(1);
            throw boom;
          },
          { logger: log.logger },
        ),
      ).resolves.toBeUndefined();
      expect(process.exitCode).toBe(1);
      const line = log.lines.find((l) => (l.err as { message?: string } | undefined)?.message === 'main exploded');
      expect(line).toBeDefined();
      expect(line!.level).toBe(50); // pino's "error"
    } finally {
      process.exitCode = saved;
    }
  });
});

describe('shutdown', () => {
  it('aborts every task and resolves only after each parked task ran its finally', async () => {
    const rt = await Runtime.currentThread();
    const cleaned: number[] = [];
    const handles = await rt.blockOn(async () => {
      const hs = [0, 1, 2].map((i) =>
        spawn(async () => {
          try {
            await sleep(1e9);
          } finally {
            // Cleanup that itself takes a few event-loop turns: shutdown must wait for it.
            await foreignDelay(5);
            cleaned.push(i);
          }
        }),
      );
      await yieldNow(); // let them park on their sleeps
      return hs;
    });
    expect(rt.metrics().numAliveTasks).toBe(3);
    await rt.shutdown();
    expect(cleaned.sort()).toEqual([0, 1, 2]);
    for (const h of handles) {
      expect(h.isFinished()).toBe(true);
      const e = await h.then(
        () => null,
        (x: unknown) => x,
      );
      expect(e).toBeInstanceOf(JoinError);
      expect((e as JoinError).isCancelled()).toBe(true);
    }
    expect(rt.metrics().numAliveTasks).toBe(0);
    expect(rt.isShutdown).toBe(true);
  });

  it('cancels the parked runtime await with Cancelled', async () => {
    const rt = await Runtime.currentThread();
    let seen: unknown;
    await rt.blockOn(async () => {
      spawn(async () => {
        try {
          await sleep(1e9);
        } catch (e) {
          seen = e;
          throw e;
        }
      });
      await yieldNow();
    });
    await rt.shutdown();
    expect(seen).toBeInstanceOf(Cancelled);
  });

  it('detaches tasks stuck on foreign never-resolving promises instead of hanging', async () => {
    const rt = await Runtime.currentThread();
    // Wrapped: a JoinHandle is a thenable, so returning it bare would await the task.
    const { handle } = await rt.blockOn(async () => {
      const h = spawn(async () => {
        await never();
      });
      await yieldNow();
      return { handle: h };
    });
    await rt.shutdown(); // would hang (test timeout) if it waited for the stuck body
    expect(handle.isFinished()).toBe(true);
    await expect(handle).rejects.toBeInstanceOf(JoinError);
  });

  it('a queued task that never started is not started by shutdown', async () => {
    const rt = await Runtime.currentThread();
    let started = false;
    const h = rt.spawn(() => {
      started = true;
    });
    await rt.shutdown();
    await yieldNow();
    expect(started).toBe(false);
    expect(h.isFinished()).toBe(true);
  });

  it('shutdownTimeout stops waiting for a cleanup that never ends', async () => {
    const rt = await Runtime.currentThread();
    let inFinally = false;
    await rt.blockOn(async () => {
      spawn(async () => {
        try {
          await sleep(1e9);
        } finally {
          inFinally = true;
          await never();
        }
      });
      await yieldNow();
    });
    await rt.shutdownTimeout(20); // shutdown() would hang here
    expect(inFinally).toBe(true);
    expect(rt.isShutdown).toBe(true);
    expect(() => rt.spawn(() => 1)).toThrow(RuntimeShutdownError);
  });

  it('shutdown while blockOn is running aborts the root: blockOn rejects, its finally ran', async () => {
    const rt = await Runtime.currentThread();
    let cleaned = false;
    const p = rt.blockOn(async () => {
      try {
        await sleep(1e9);
      } finally {
        cleaned = true;
      }
    });
    const settled = p.then(
      () => 'resolved',
      (e: unknown) => e,
    );
    await foreignDelay(2);
    await rt.shutdown();
    expect(cleaned).toBe(true);
    const e = await settled;
    expect(e).toBeInstanceOf(JoinError);
    expect((e as JoinError).isCancelled()).toBe(true);
  });

  it('shutdownTimeout validates its argument', async () => {
    const rt = await Runtime.currentThread();
    expect(() => rt.shutdownTimeout(-1)).toThrow(RangeError);
    await rt.shutdown();
  });

  it('shutdownBackground returns at once; tasks are aborted and spawns refused', async () => {
    const rt = await Runtime.currentThread();
    let cleaned = false;
    const { h } = await rt.blockOn(async () => {
      const t = spawn(async () => {
        try {
          await sleep(1e9);
        } finally {
          await foreignDelay(5);
          cleaned = true;
        }
      });
      await yieldNow();
      return { h: t };
    });
    const r = rt.shutdownBackground();
    expect(r).toBeUndefined();
    // Returned before the task's (slow) cleanup ran, but the handle is settled already.
    expect(cleaned).toBe(false);
    expect(h.isFinished()).toBe(true);
    expect(() => rt.spawn(() => 1)).toThrow(RuntimeShutdownError);
    await foreignDelay(20);
    expect(cleaned).toBe(true);
    await rt.shutdown(); // idempotent: the same shutdown
  });

  it('spawn after shutdown throws RuntimeShutdownError (runtime method, free function, blockOn)', async () => {
    const rt = await Runtime.currentThread();
    let freeSpawnError: unknown;
    await rt.blockOn(async () => {
      spawn(async () => {
        try {
          await sleep(1e9);
        } finally {
          // The task still runs (unwinding) after shutdown began: the free spawn sees it.
          try {
            spawn(() => 1);
          } catch (e) {
            freeSpawnError = e;
          }
        }
      });
      await yieldNow();
    });
    await rt.shutdown();
    expect(freeSpawnError).toBeInstanceOf(RuntimeShutdownError);
    expect(freeSpawnError).toBeInstanceOf(SkeinError);
    expect((freeSpawnError as SkeinError).code).toBe('ERR_SKEIN_RUNTIME_SHUTDOWN');
    expect(() => rt.spawn(() => 1)).toThrow(RuntimeShutdownError);
    expect(() => rt.spawnLocal(() => 1)).toThrow(RuntimeShutdownError);
    await expect(rt.blockOn(() => 1)).rejects.toBeInstanceOf(RuntimeShutdownError);
  });

  it('Symbol.asyncDispose shuts the runtime down', async () => {
    let cleaned = false;
    let captured: Runtime | undefined;
    {
      await using rt = await Runtime.currentThread();
      captured = rt;
      await rt.blockOn(async () => {
        spawn(async () => {
          try {
            await sleep(1e9);
          } finally {
            cleaned = true;
          }
        });
        await yieldNow();
      });
    }
    expect(captured.isShutdown).toBe(true);
    expect(cleaned).toBe(true);
  });
});

describe('outside a runtime', () => {
  it('spawn and other runtime functions throw NoRuntimeError', () => {
    let err: unknown;
    try {
      spawn(() => 1);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(NoRuntimeError);
    expect(err).toBeInstanceOf(SkeinError);
    expect((err as SkeinError).code).toBe('ERR_SKEIN_NO_RUNTIME');
    expect(() => sleep(1)).toThrow(NoRuntimeError);
    expect(currentTask()).toBeUndefined();
  });

  it('after blockOn returns, the caller is not inside the runtime', async () => {
    const rt = await Runtime.currentThread();
    await rt.blockOn(async () => {
      await sleep(1);
    });
    expect(currentTask()).toBeUndefined();
    expect(() => spawn(() => 1)).toThrow(NoRuntimeError);
    await rt.shutdown();
  });
});
