import { describe, expect, it } from 'vitest';
import * as core from '@skein/core';
import {
  AcquireError,
  Cancelled,
  Elapsed,
  JoinError,
  NoRuntimeError,
  NotSendableError,
  RecvError,
  RuntimeShutdownError,
  Runtime,
  SendError,
  SendTimeoutError,
  SerializationError,
  SkeinError,
  TryAcquireError,
  TryLockError,
  TryRecvError,
  TrySendError,
  interval,
  sleep,
  spawn,
  spawnBlocking,
  timeout,
} from '@skein/core';
import { caught, run, runPaused } from './helpers.js';

describe('error classes', () => {
  it('every documented error class is exported and extends SkeinError (and Error)', () => {
    const classes = {
      JoinError,
      Elapsed,
      Cancelled,
      SendError,
      TrySendError,
      RecvError,
      TryRecvError,
      AcquireError,
      TryAcquireError,
      SendTimeoutError,
      TryLockError,
      NotSendableError,
      SerializationError,
      RuntimeShutdownError,
      NoRuntimeError,
    };
    expect(SkeinError.prototype).toBeInstanceOf(Error);
    for (const [name, cls] of Object.entries(classes)) {
      expect(typeof cls, name).toBe('function');
      expect(cls.prototype, name).toBeInstanceOf(SkeinError);
      expect((core as Record<string, unknown>)[name], name).toBe(cls);
    }
  });

  it('flat exports: time functions at top level, time and the channel namespaces as objects', () => {
    for (const fn of [
      'sleep',
      'sleepUntil',
      'interval',
      'timeout',
      'timeoutAt',
      'spawn',
      'spawnLocal',
      'spawnBlocking',
      'yieldNow',
      'currentTask',
      'taskLocal',
      'task',
      'main',
      'join',
      'tryJoin',
      'select',
    ] as const) {
      expect(typeof core[fn], fn).toBe('function');
    }
    expect(typeof core.Instant.now).toBe('function');
    for (const ns of ['mpsc', 'oneshot', 'broadcast', 'watch'] as const) {
      expect(typeof core[ns].channel, ns).toBe('function');
    }
    expect(typeof core.mpsc.unboundedChannel).toBe('function');
  });
});

describe('errors thrown in real situations carry class, name and stable code', () => {
  it('Cancelled', async () => {
    await runPaused(async () => {
      let inner: unknown;
      const h = spawn(async () => {
        try {
          await sleep(100);
        } catch (e) {
          inner = e;
        }
      });
      await sleep(1);
      h.abort();
      await caught(() => h);
      await sleep(1);
      expect(inner).toBeInstanceOf(Cancelled);
      expect(inner).toBeInstanceOf(SkeinError);
      expect((inner as SkeinError).code).toBe('ERR_SKEIN_CANCELLED');
      expect((inner as Error).name).toBe('Cancelled');
      expect((inner as Error).message.length).toBeGreaterThan(0);
    });
  });

  it('Elapsed', async () => {
    await runPaused(async () => {
      const err = await caught(() => timeout(1, sleep(10)));
      expect(err).toBeInstanceOf(Elapsed);
      expect((err as SkeinError).code).toBe('ERR_SKEIN_ELAPSED');
      expect((err as Error).name).toBe('Elapsed');
    });
  });

  it('JoinError (panic and cancelled have distinct codes)', async () => {
    await run(async () => {
      const panic = (await caught(() =>
        spawn(() => {
          throw new Error('p');
        }),
      )) as JoinError;
      const h = spawn(() => sleep(1_000));
      h.abort();
      const cancelled = (await caught(() => h)) as JoinError;
      expect(panic).toBeInstanceOf(JoinError);
      expect(cancelled).toBeInstanceOf(JoinError);
      expect(panic.name).toBe('JoinError');
      expect(panic.code).toBe('ERR_SKEIN_JOIN_PANIC');
      expect(cancelled.code).toBe('ERR_SKEIN_JOIN_CANCELLED');
      expect(typeof panic.taskId).toBe('number');
    });
  });

  it('NoRuntimeError', () => {
    let err: unknown;
    try {
      spawn(() => 1);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(NoRuntimeError);
    expect((err as SkeinError).code).toBe('ERR_SKEIN_NO_RUNTIME');
    expect((err as Error).name).toBe('NoRuntimeError');
  });

  it('RuntimeShutdownError', async () => {
    const rt = await Runtime.builder().logger('silent').build();
    await rt.shutdown();
    let err: unknown;
    try {
      rt.spawnLocal(() => 1);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(RuntimeShutdownError);
    expect((err as SkeinError).code).toBe('ERR_SKEIN_RUNTIME_SHUTDOWN');
    expect((err as Error).name).toBe('RuntimeShutdownError');
  });

  it('NotSendableError: a closure given to spawnBlocking; the message shows how to define a task', async () => {
    await run(() => {
      let err: unknown;
      try {
        spawnBlocking((() => 1) as never);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(NotSendableError);
      expect((err as SkeinError).code).toBe('ERR_SKEIN_NOT_SENDABLE');
      expect((err as Error).name).toBe('NotSendableError');
      expect((err as Error).message).toContain('task(import.meta');
    });
  });

  it('invalid arguments are plain RangeError / TypeError with a Node-style code, not SkeinError', async () => {
    await run(() => {
      let range: unknown;
      try {
        interval(0);
      } catch (e) {
        range = e;
      }
      expect(range).toBeInstanceOf(RangeError);
      expect(range).not.toBeInstanceOf(SkeinError);
      expect((range as { code?: unknown }).code).toBe('ERR_OUT_OF_RANGE');
      let type: unknown;
      try {
        spawn('not a function' as never);
      } catch (e) {
        type = e;
      }
      expect(type).toBeInstanceOf(TypeError);
      expect(type).not.toBeInstanceOf(SkeinError);
      expect((type as { code?: unknown }).code).toBe('ERR_INVALID_ARG_TYPE');
    });
  });

  // Node's own validators (AbortSignal.timeout, Buffer.alloc, setMaxListeners…) reject NaN
  // for a numeric argument with RangeError ERR_OUT_OF_RANGE.
  it('a NaN duration is a RangeError with ERR_OUT_OF_RANGE, as in Node', async () => {
    await run(async () => {
      for (const f of [
        () => sleep(Number.NaN),
        () => interval(Number.NaN),
        () => timeout(Number.NaN, Promise.resolve(1)),
      ]) {
        const err = await caught(f);
        expect(err).toBeInstanceOf(RangeError);
        expect((err as { code?: unknown }).code).toBe('ERR_OUT_OF_RANGE');
      }
    });
  });

  it('codes are distinct across classes', async () => {
    const codes = new Set<string>();
    const add = (e: unknown) => {
      codes.add((e as SkeinError).code);
    };
    add(new Cancelled());
    add(new Elapsed());
    await runPaused(async () => {
      add(
        await caught(() =>
          spawn(() => {
            throw new Error();
          }),
        ),
      );
      const h = spawn(() => sleep(10));
      h.abort();
      add(await caught(() => h));
      try {
        spawnBlocking((() => 1) as never);
      } catch (e) {
        add(e);
      }
    });
    try {
      spawn(() => 1);
    } catch (e) {
      add(e);
    }
    const rt = await Runtime.builder().logger('silent').build();
    await rt.shutdown();
    try {
      rt.spawn(() => 1);
    } catch (e) {
      add(e);
    }
    expect(codes.size).toBe(7);
    for (const c of codes) expect(c).toMatch(/^ERR_[A-Z_]+$/);
  });
});
