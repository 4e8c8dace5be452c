import { afterEach, describe, expect, it } from 'vitest';
import {
  Builder,
  Cancelled,
  Handle,
  Instant,
  JoinError,
  JoinHandle,
  NoRuntimeError,
  Runtime,
  RuntimeShutdownError,
  SkeinError,
  currentTask,
  main,
  sleep,
  spawn,
} from '@skein/core';
import { captureLogger, caught, realDelay, run } from './helpers.js';

describe('Runtime.builder / flavours', () => {
  it('builds a current-thread runtime by default', async () => {
    const builder = Runtime.builder();
    expect(builder).toBeInstanceOf(Builder);
    const rt = await builder.logger('silent').build();
    try {
      expect(rt).toBeInstanceOf(Runtime);
      expect(rt.flavor).toBe('current_thread');
    } finally {
      await rt.shutdown();
    }
  });

  it('builder setters chain and return the builder', async () => {
    const b = Runtime.builder();
    expect(b.currentThread()).toBe(b);
    expect(b.startPaused(false)).toBe(b);
    expect(b.eventInterval(61)).toBe(b);
    expect(b.globalQueueInterval(31)).toBe(b);
    expect(b.disableLifoSlot()).toBe(b);
    expect(b.threadName('my-pool')).toBe(b);
    expect(b.threadKeepAlive(5_000)).toBe(b);
    expect(b.maxBlockingThreads(4)).toBe(b);
    expect(b.logger('silent')).toBe(b);
    const rt = await b.build();
    try {
      expect(rt.flavor).toBe('current_thread');
    } finally {
      await rt.shutdown();
    }
  });

  it('Runtime.currentThread(opts) is a shorthand for a current-thread runtime', async () => {
    const rt = await Runtime.currentThread({ logger: 'silent', startPaused: true });
    try {
      expect(rt).toBeInstanceOf(Runtime);
      expect(rt.flavor).toBe('current_thread');
      const elapsed = await rt.blockOn(async () => {
        const t0 = Instant.now();
        await sleep(5_000);
        return Instant.now() - t0;
      });
      expect(elapsed).toBe(5_000);
    } finally {
      await rt.shutdown();
    }
  });

  it('startPaused needs the current-thread flavour (Tokio): a multi-thread build rejects with SkeinError', async () => {
    const err = await caught(() => Runtime.builder().multiThread().startPaused(true).logger('silent').build());
    expect(err).toBeInstanceOf(SkeinError);
  });

  it('rejects a worker count of zero with a coded RangeError (Tokio panics)', () => {
    const err = (() => {
      try {
        Runtime.builder().workerThreads(0);
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(err).toBeInstanceOf(RangeError);
    expect(typeof (err as { code?: unknown }).code).toBe('string');
  });

  it('rejects a blocking-thread cap of zero with a coded RangeError (Tokio panics)', () => {
    const err = (() => {
      try {
        Runtime.builder().maxBlockingThreads(0);
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(err).toBeInstanceOf(RangeError);
    expect(typeof (err as { code?: unknown }).code).toBe('string');
  });
});

describe('runtime.blockOn', () => {
  let rt: Runtime | undefined;
  afterEach(async () => {
    await rt?.shutdown();
    rt = undefined;
  });

  it('resolves with the value of a promise, a sync function or an async function', async () => {
    rt = await Runtime.builder().logger('silent').build();
    expect(await rt.blockOn(Promise.resolve('p'))).toBe('p');
    expect(await rt.blockOn(() => 'sync')).toBe('sync');
    expect(
      await rt.blockOn(async () => {
        await sleep(1);
        return 'async';
      }),
    ).toBe('async');
  });

  it('runs the function inside the runtime: free functions work there', async () => {
    rt = await Runtime.builder().logger('silent').build();
    const v = await rt.blockOn(async () => {
      const h = spawn(() => 21);
      return (await h) * 2;
    });
    expect(v).toBe(42);
  });

  it('rethrows the root error itself, unwrapped (not a JoinError)', async () => {
    rt = await Runtime.builder().logger('silent').build();
    const boom = new Error('boom');
    const err = await caught(() =>
      rt!.blockOn(async () => {
        await sleep(1);
        throw boom;
      }),
    );
    expect(err).toBe(boom);
    expect(err).not.toBeInstanceOf(JoinError);
  });

  it('rethrows a non-Error thrown value as is', async () => {
    rt = await Runtime.builder().logger('silent').build();
    const err = await caught(() =>
      rt!.blockOn(() => {
        throw 'plain string';
      }),
    );
    expect(err).toBe('plain string');
  });
});

describe('runtime.spawn / handle', () => {
  it('runtime.spawn works from outside any task', async () => {
    const rt = await Runtime.builder().logger('silent').build();
    try {
      const h = rt.spawn(async () => {
        await sleep(1);
        return 'x';
      });
      expect(h).toBeInstanceOf(JoinHandle);
      expect(typeof h.id).toBe('number');
      expect(await h).toBe('x');
    } finally {
      await rt.shutdown();
    }
  });

  it('runtime.spawnLocal works from outside any task', async () => {
    const rt = await Runtime.builder().logger('silent').build();
    try {
      const h = rt.spawnLocal(() => 5);
      expect(await h).toBe(5);
    } finally {
      await rt.shutdown();
    }
  });

  it('Handle.current() inside a task refers to the running runtime', async () => {
    await run(async (rt) => {
      const inner = await spawn(() => Handle.current());
      expect(inner).toBeInstanceOf(Handle);
      expect(rt.handle()).toBeInstanceOf(Handle);
      expect(inner.flavor).toBe('current_thread');
      // spawning through the handle lands on the same runtime
      const h = inner.spawn(() => 'via handle');
      expect(await h).toBe('via handle');
    });
  });

  it('Handle.current() outside any runtime throws NoRuntimeError', () => {
    expect(() => Handle.current()).toThrow(NoRuntimeError);
  });

  it('runtime.handle().spawn() from outside a task runs on that runtime', async () => {
    const rt = await Runtime.builder().logger('silent').build();
    try {
      const h = rt.handle().spawn(() => currentTask()?.id);
      expect(await h).toBe(h.id);
    } finally {
      await rt.shutdown();
    }
  });
});

describe('shutdown', () => {
  it('aborts tasks parked on runtime awaits and waits for their finally blocks', async () => {
    const rt = await Runtime.builder().logger('silent').build();
    const events: string[] = [];
    let sleepError: unknown;
    const h = rt.spawn(async () => {
      try {
        await sleep(1_000_000);
      } catch (e) {
        sleepError = e;
        throw e;
      } finally {
        // async cleanup on a foreign await still counts as cleanup
        await Promise.resolve();
        events.push('cleanup');
      }
    });
    await rt.blockOn(() => sleep(1));
    await rt.shutdown();
    expect(events).toEqual(['cleanup']);
    expect(sleepError).toBeInstanceOf(Cancelled);
    const err = await caught(() => h);
    expect(err).toBeInstanceOf(JoinError);
    expect((err as JoinError).isCancelled()).toBe(true);
    expect(h.isFinished()).toBe(true);
  });

  it('does not hang on a task stuck on a foreign promise that never settles', async () => {
    const rt = await Runtime.builder().logger('silent').build();
    const h = rt.spawn(async () => {
      await new Promise(() => {});
    });
    await rt.blockOn(() => sleep(1));
    await rt.shutdown();
    const err = await caught(() => h);
    expect(err).toBeInstanceOf(JoinError);
    expect((err as JoinError).isCancelled()).toBe(true);
  });

  it('spawn on a runtime that has shut down throws RuntimeShutdownError', async () => {
    const rt = await Runtime.builder().logger('silent').build();
    await rt.shutdown();
    const err = await caught(() => rt.spawn(() => 1));
    expect(err).toBeInstanceOf(RuntimeShutdownError);
    expect(err).toBeInstanceOf(SkeinError);
    expect((err as SkeinError).code).toBe('ERR_SKEIN_RUNTIME_SHUTDOWN');
  });

  it('spawn inside blockOn after shutdown began throws RuntimeShutdownError', async () => {
    const rt = await Runtime.builder().logger('silent').build();
    let err: unknown;
    const root = rt.blockOn(async () => {
      try {
        await sleep(1_000_000);
      } finally {
        try {
          spawn(() => 1);
        } catch (e) {
          err = e;
        }
      }
    });
    root.catch(() => {});
    await realDelay(5);
    await rt.shutdown();
    await caught(() => root);
    expect(err).toBeInstanceOf(RuntimeShutdownError);
  });

  it('free spawn outside any runtime throws NoRuntimeError', () => {
    let err: unknown;
    try {
      spawn(() => 1);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(NoRuntimeError);
    expect((err as SkeinError).code).toBe('ERR_SKEIN_NO_RUNTIME');
  });

  it('shutdownTimeout(ms) resolves and leaves the runtime shut down', async () => {
    const rt = await Runtime.builder().logger('silent').build();
    let cleaned = false;
    rt.spawn(async () => {
      try {
        await sleep(1_000_000);
      } finally {
        cleaned = true;
      }
    });
    await rt.blockOn(() => sleep(1));
    await rt.shutdownTimeout(1_000);
    expect(cleaned).toBe(true);
    expect(() => rt.spawn(() => 1)).toThrow(RuntimeShutdownError);
  });

  it('shutdownBackground() returns synchronously and refuses new spawns', async () => {
    const rt = await Runtime.builder().logger('silent').build();
    const h = rt.spawn(async () => {
      await sleep(1_000_000);
    });
    await rt.blockOn(() => sleep(1));
    expect(rt.shutdownBackground()).toBeUndefined();
    expect(() => rt.spawn(() => 1)).toThrow(RuntimeShutdownError);
    const err = await caught(() => h);
    expect(err).toBeInstanceOf(JoinError);
    expect((err as JoinError).isCancelled()).toBe(true);
  });

  it('Symbol.asyncDispose shuts the runtime down (await using)', async () => {
    let cleaned = false;
    let escaped: Runtime;
    {
      await using rt = await Runtime.builder().logger('silent').build();
      escaped = rt;
      rt.spawn(async () => {
        try {
          await sleep(1_000_000);
        } finally {
          cleaned = true;
        }
      });
      await rt.blockOn(() => sleep(1));
    }
    expect(cleaned).toBe(true);
    expect(() => escaped.spawn(() => 1)).toThrow(RuntimeShutdownError);
  });

  it('blockOn on a runtime that has shut down rejects with RuntimeShutdownError', async () => {
    const rt = await Runtime.builder().logger('silent').build();
    await rt.shutdown();
    expect(await caught(() => rt.blockOn(() => 1))).toBeInstanceOf(RuntimeShutdownError);
  });

  it('shutdown() is idempotent', async () => {
    const rt = await Runtime.builder().logger('silent').build();
    await rt.shutdown();
    await expect(rt.shutdown()).resolves.toBeUndefined();
  });
});

describe('startPaused', () => {
  it('starts with the clock paused: sleeps auto-advance the clock by exactly their duration', async () => {
    const rt = await Runtime.builder().startPaused(true).logger('silent').build();
    try {
      const elapsed = await rt.blockOn(async () => {
        const t0 = Instant.now();
        await sleep(3_600_000); // an hour, instantly
        return Instant.now() - t0;
      });
      expect(elapsed).toBe(3_600_000);
    } finally {
      await rt.shutdown();
    }
  });

  it('the paused clock does not follow real time', async () => {
    const rt = await Runtime.builder().startPaused(true).logger('silent').build();
    try {
      const moved = await rt.blockOn(async () => {
        const t0 = Instant.now();
        await realDelay(30);
        return Instant.now() - t0;
      });
      expect(moved).toBe(0);
    } finally {
      await rt.shutdown();
    }
  });
});

describe('main()', () => {
  let savedExitCode: typeof process.exitCode;
  afterEach(() => {
    process.exitCode = savedExitCode;
  });

  it('runs fn as the root of a fresh runtime and resolves', async () => {
    savedExitCode = process.exitCode;
    let sawTask = false;
    let spawned = 0;
    await main(
      async () => {
        sawTask = Handle.current() instanceof Handle;
        spawned = await spawn(() => 3);
      },
      { logger: 'silent' },
    );
    expect(sawTask).toBe(true);
    expect(spawned).toBe(3);
    expect(process.exitCode).toBe(savedExitCode);
  });

  it('shuts the runtime down afterwards: leftover tasks are aborted and cleaned up', async () => {
    savedExitCode = process.exitCode;
    let cleaned = false;
    let h: JoinHandle<void> | undefined;
    await main(
      () => {
        h = spawn(async () => {
          try {
            await sleep(1_000_000);
          } finally {
            cleaned = true;
          }
        });
      },
      { logger: 'silent' },
    );
    expect(cleaned).toBe(true);
    const err = await caught(() => h!);
    expect(err).toBeInstanceOf(JoinError);
    expect((err as JoinError).isCancelled()).toBe(true);
  });

  it('when fn throws: logs the error, sets process.exitCode = 1 and resolves', async () => {
    savedExitCode = process.exitCode;
    process.exitCode = undefined;
    const { logger, lines } = captureLogger();
    const boom = new Error('main failed on purpose');
    await expect(
      main(
        async () => {
          await sleep(1);
          throw boom;
        },
        { logger },
      ),
    ).resolves.toBeUndefined();
    expect(process.exitCode).toBe(1);
    expect(JSON.stringify(lines)).toContain('main failed on purpose');
  });
});
