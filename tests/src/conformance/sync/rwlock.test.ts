import { describe, it, expect } from 'vitest';
import { RwLock, TryLockError, AlreadyReleasedError, type JoinError, Elapsed, spawn, timeout, time } from '@skein/core';
import { withRuntime, settle, thrown, rejection, expectSkein, track } from './_support.js';

describe('RwLock', () => {
  it('many readers share the lock; a writer is excluded while any reader holds it', async () => {
    await withRuntime(async () => {
      const l = new RwLock(7);
      const r1 = await l.read();
      const r2 = await l.read();
      const r3 = l.tryRead();
      expect([r1.value, r2.value, r3.value]).toEqual([7, 7, 7]);
      expectSkein(
        thrown(() => l.tryWrite()),
        TryLockError,
        'ERR_SKEIN_WOULD_BLOCK',
      );
      r1.release();
      r2.release();
      expect(thrown(() => l.tryWrite())).toBeInstanceOf(TryLockError);
      r3.release();
      const w = l.tryWrite();
      w.release();
    });
  });

  it('a writer excludes readers and writers; its writes are seen by later readers', async () => {
    await withRuntime(async () => {
      const l = new RwLock('a');
      const w = await l.write();
      expect(w.value).toBe('a');
      w.value = 'b';
      expectSkein(
        thrown(() => l.tryRead()),
        TryLockError,
        'ERR_SKEIN_WOULD_BLOCK',
      );
      expectSkein(
        thrown(() => l.tryWrite()),
        TryLockError,
        'ERR_SKEIN_WOULD_BLOCK',
      );
      w.release();
      const r = await l.read();
      expect(r.value).toBe('b');
      r.release();
    });
  });

  it('is write-preferring: a queued writer blocks readers that arrive after it', async () => {
    await withRuntime(async () => {
      const l = new RwLock(0);
      const order: string[] = [];
      const r1 = await l.read();
      const w = spawn(async () => {
        const g = await l.write();
        order.push('writer');
        g.value = 1;
        g.release();
      });
      await settle();
      // A reader arriving now queues behind the writer, even though only readers hold the lock.
      expect(thrown(() => l.tryRead())).toBeInstanceOf(TryLockError);
      const r2 = spawn(async () => {
        const g = await l.read();
        order.push(`reader saw ${g.value}`);
        g.release();
      });
      await settle();
      expect(order).toEqual([]);
      r1.release();
      await w;
      await r2;
      expect(order).toEqual(['writer', 'reader saw 1']);
    });
  });

  it('serves the queue in FIFO order: consecutive readers together, a writer alone', async () => {
    await withRuntime(async () => {
      const l = new RwLock(0);
      const log: string[] = [];
      const guards = new Map<string, { release(): void }>();
      const w0 = await l.write();
      const mk = (name: string, kind: 'r' | 'w') =>
        spawn(async () => {
          const g = kind === 'r' ? await l.read() : await l.write();
          log.push(name);
          guards.set(name, g);
        });
      const hs = [mk('r1', 'r'), mk('r2', 'r'), mk('w1', 'w'), mk('r3', 'r')];
      await settle();
      expect(log).toEqual([]);
      w0.release();
      await settle();
      expect(log).toEqual(['r1', 'r2']);
      guards.get('r1')!.release();
      await settle();
      expect(log).toEqual(['r1', 'r2']);
      guards.get('r2')!.release();
      await settle();
      expect(log).toEqual(['r1', 'r2', 'w1']);
      guards.get('w1')!.release();
      await settle();
      expect(log).toEqual(['r1', 'r2', 'w1', 'r3']);
      guards.get('r3')!.release();
      for (const h of hs) await h;
      l.tryWrite().release();
    });
  });

  it('opts.maxReaders caps concurrent readers', async () => {
    await withRuntime(async () => {
      const l = new RwLock(0, { maxReaders: 2 });
      const a = await l.read();
      const b = l.tryRead();
      expectSkein(
        thrown(() => l.tryRead()),
        TryLockError,
        'ERR_SKEIN_WOULD_BLOCK',
      );
      const c = track(l.read());
      await settle();
      expect(c.settled()).toBe(false);
      a.release();
      await settle();
      expect(c.settled()).toBe(true);
      b.release();
      (await c.promise).release();
      // The writer needs every reader slot: with all released it gets in.
      l.tryWrite().release();
    });
  });

  it('guards have the MutexGuard shape: value, release(), Symbol.dispose; double release throws', async () => {
    await withRuntime(async () => {
      const l = new RwLock({ x: 1 });
      {
        using w = await l.write();
        w.value = { x: 2 };
      }
      {
        using r = await l.read();
        expect(r.value).toEqual({ x: 2 });
        expect(typeof r.release).toBe('function');
        expect(thrown(() => l.tryWrite())).toBeInstanceOf(TryLockError);
      }
      const w = l.tryWrite();
      w.release();
      expectSkein(
        thrown(() => w.release()),
        AlreadyReleasedError,
        'ERR_SKEIN_ALREADY_RELEASED',
      );
      const r = l.tryRead();
      r.release();
      expectSkein(
        thrown(() => r.release()),
        AlreadyReleasedError,
        'ERR_SKEIN_ALREADY_RELEASED',
      );
      // Neither double release minted extra permits: a writer still excludes a reader.
      const w2 = l.tryWrite();
      expect(thrown(() => l.tryRead())).toBeInstanceOf(TryLockError);
      w2.release();
    });
  });

  it('an aborted queued writer gives back what it held, so readers queued behind it proceed', async () => {
    await withRuntime(async () => {
      const l = new RwLock(0);
      const r1 = await l.read();
      const w = spawn(async () => {
        const g = await l.write();
        g.release();
        return 'wrote';
      });
      await settle();
      const r2 = track(l.read());
      await settle();
      expect(r2.settled()).toBe(false);
      w.abort();
      expect(((await rejection(w)) as JoinError).isCancelled()).toBe(true);
      await settle();
      expect(r2.settled()).toBe(true); // r1 is still held: readers share again
      (await r2.promise).release();
      r1.release();
      l.tryWrite().release();
    });
  });

  it('a write() cut by timeout rejects Elapsed and unblocks the readers behind it', async () => {
    await withRuntime(
      async () => {
        const l = new RwLock(0);
        const r1 = await l.read();
        const w = track(timeout(5, () => l.write()));
        const r2 = track(l.read());
        await settle();
        expect(r2.settled()).toBe(false);
        await time.advance(5);
        await settle();
        expect(w.error()).toBeInstanceOf(Elapsed);
        expect(r2.settled()).toBe(true);
        (await r2.promise).release();
        r1.release();
        l.tryWrite().release();
      },
      { paused: true },
    );
  });
});
