import { describe, it, expect } from 'vitest';
import * as core from '@skein/core';

describe('sync exports', () => {
  it('mpsc, oneshot, broadcast and watch are namespace objects with channel()', () => {
    expect(typeof core.mpsc.channel).toBe('function');
    expect(typeof core.mpsc.unboundedChannel).toBe('function');
    expect(typeof core.oneshot.channel).toBe('function');
    expect(typeof core.broadcast.channel).toBe('function');
    expect(typeof core.watch.channel).toBe('function');
  });

  it('sync primitives are flat top-level classes', () => {
    for (const name of ['Mutex', 'RwLock', 'Semaphore', 'Notify', 'Barrier', 'OnceCell'] as const) {
      expect(typeof core[name], name).toBe('function');
    }
  });

  it('sync and channel error classes are exported, extend SkeinError, and carry a stable code', () => {
    expect(core.SkeinError.prototype).toBeInstanceOf(Error);
    const classes = {
      SendError: core.SendError,
      TrySendError: core.TrySendError,
      SendTimeoutError: core.SendTimeoutError,
      RecvError: core.RecvError,
      TryRecvError: core.TryRecvError,
      AcquireError: core.AcquireError,
      TryAcquireError: core.TryAcquireError,
      TryLockError: core.TryLockError,
    };
    for (const [name, Cls] of Object.entries(classes)) {
      expect(typeof Cls, name).toBe('function');
      expect(Cls.prototype, name).toBeInstanceOf(core.SkeinError);
    }
  });
});
