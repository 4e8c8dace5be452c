import { describe, it, expect } from 'vitest';
import { RwLock, spawn, timeout, Elapsed, TryLockError, AlreadyReleasedError, SkeinError } from '@skein/core';
import { settle, withRuntime, thrown, rejection } from './helpers.js';

describe('RwLock', () => {
  it('allows many readers, one writer, and is write-preferring FIFO', async () => {
    await withRuntime(async () => {
      const l = new RwLock<string[]>([]);
      const r1 = await l.read();
      const r2 = await l.read();
      const order: string[] = [];
      const w = spawn(async () => {
        const g = await l.write();
        order.push('w');
        g.value.push('w');
        g.release();
      });
      await settle();
      // A queued writer holds back readers that arrive after it.
      const r3 = spawn(async () => {
        const g = await l.read();
        order.push('r3');
        g.release();
      });
      await settle();
      expect(() => l.tryRead()).toThrow(TryLockError);
      expect(order).toEqual([]);
      r1.release();
      await settle();
      expect(order).toEqual([]);
      r2.release();
      await w;
      await r3;
      expect(order).toEqual(['w', 'r3']);
      expect(l.tryRead().value).toEqual(['w']);
    });
  });

  it('guards: MutexGuard shape, read guard value has no setter, double release throws', async () => {
    await withRuntime(async () => {
      const l = new RwLock(1, { maxReaders: 2 });
      expect(l.maxReaders).toBe(2);
      const w = l.tryWrite();
      w.value = 2;
      expect(() => l.tryWrite()).toThrow(TryLockError);
      w.release();
      expect(thrown(() => w.release())).toBeInstanceOf(AlreadyReleasedError);
      w[Symbol.dispose]();
      const a = l.tryRead();
      const b = l.tryRead();
      expect(() => l.tryRead()).toThrow(TryLockError); // maxReaders
      expect(a.value).toBe(2);
      expect(() => {
        (a as unknown as { value: number }).value = 3;
      }).toThrow(TypeError);
      {
        using _b = b;
      }
      a.release();
      const e = thrown(() => a.release());
      expect(e).toBeInstanceOf(SkeinError);
      expect(() => a.value).toThrow(AlreadyReleasedError);
    });
  });

  it('downgrade lets queued readers in without letting a writer between', async () => {
    await withRuntime(async () => {
      const l = new RwLock(0);
      const w = await l.write();
      w.value = 1;
      const reader = spawn(async () => {
        const g = await l.read();
        const v = g.value;
        g.release();
        return v;
      });
      await settle();
      const r = w.downgrade();
      expect(await reader).toBe(1);
      expect(() => l.tryWrite()).toThrow(TryLockError);
      r.release();
      l.tryWrite().release();
    });
  });

  it('a cancelled writer gives back the read permits it collected', async () => {
    await withRuntime(
      async () => {
        const l = new RwLock(0, { maxReaders: 4 });
        const r = await l.read();
        expect(await rejection(timeout(10, () => l.write()))).toBeInstanceOf(Elapsed);
        // Readers flow again, and a writer gets in once the reader leaves.
        const r2 = l.tryRead();
        r2.release();
        r.release();
        l.tryWrite().release();
      },
      { paused: true },
    );
  });

  it('rejects a bad maxReaders with RangeError + code', () => {
    for (const bad of [0, -1, 1.5, 2 ** 29]) {
      const e = thrown(() => new RwLock(0, { maxReaders: bad })) as RangeError & { code: string };
      expect(e).toBeInstanceOf(RangeError);
      expect(e.code).toBe('ERR_OUT_OF_RANGE');
    }
  });

  it('invariant under load: never a writer together with anyone else', async () => {
    await withRuntime(async () => {
      const l = new RwLock(0, { maxReaders: 5 });
      let readers = 0;
      let writers = 0;
      let violations = 0;
      let maxReaders = 0;
      const hs = Array.from({ length: 400 }, (_, i) =>
        spawn(async () => {
          for (let k = 0; k < 5; k++) {
            if ((i + k) % 5 === 0) {
              const g = await l.write();
              writers++;
              if (writers > 1 || readers > 0) violations++;
              g.value++;
              await settle(1);
              writers--;
              g.release();
            } else {
              const g = await l.read();
              readers++;
              maxReaders = Math.max(maxReaders, readers);
              if (writers > 0 || readers > 5) violations++;
              await settle(1);
              readers--;
              g.release();
            }
          }
        }),
      );
      for (const h of hs) await h;
      expect(violations).toBe(0);
      expect(maxReaders).toBeLessThanOrEqual(5);
      expect(l.tryWrite().value).toBe(400);
    });
  });
});
