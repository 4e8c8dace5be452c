/**
 * A finished task lets go of its body: a JoinHandle (or JoinSet) kept after the task
 * finished must not keep the closure, and whatever it captured, alive. The task's name,
 * which defaults to the function's name, still reads right wherever user code can hold the
 * task (`currentTask()`).
 */
import { describe, expect, it } from 'vitest';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { JoinSet, Runtime, currentTask, sleep, spawn, type CurrentTask } from '@skein/core';
import { withRuntime } from '../sync/helpers.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

async function collect(): Promise<void> {
  await new Promise((r) => setTimeout(r, 10));
  gc();
  gc();
}

describe('a finished task', () => {
  it("does not keep its closure's captures alive through a kept JoinHandle", async () => {
    await withRuntime(async () => {
      // In a function of its own, so that only the handle and the WeakRefs leave it.
      const start = (): { handles: unknown[]; refs: WeakRef<object>[] } => {
        const refs: WeakRef<object>[] = [];
        const handles: unknown[] = [];
        for (const ms of [0, 2]) {
          const big = { payload: new Uint8Array(1024) };
          refs.push(new WeakRef(big));
          // One finishes at once, one after an await.
          handles.push(
            spawn(async () => {
              if (ms > 0) await sleep(ms);
              return big.payload.length;
            }),
          );
        }
        return { handles, refs };
      };
      const { handles, refs } = start();
      for (const h of handles) expect(await (h as Promise<number>)).toBe(1024);
      await collect();
      expect(refs.map((r) => r.deref())).toEqual([undefined, undefined]);
      expect(handles).toHaveLength(2);
    });
  });

  it('does not keep them alive from a JoinSet either', async () => {
    await withRuntime(async () => {
      const set = new JoinSet<number>();
      const add = (): WeakRef<object> => {
        const big = { payload: new Uint8Array(1024) };
        set.spawn(async () => big.payload.length);
        return new WeakRef(big);
      };
      const ref = add();
      await sleep(1);
      await collect();
      expect(ref.deref()).toBeUndefined();
      expect(await set.joinNext()).toBe(1024);
    });
  });

  it('keeps its default name for code that held it through currentTask()', async () => {
    await withRuntime(async () => {
      let seen: CurrentTask | undefined;
      await spawn(async function fetchUser() {
        seen = currentTask();
        await sleep(1);
      });
      expect(seen!.name).toBe('fetchUser');
      let sync: CurrentTask | undefined;
      await spawn(function parse() {
        sync = currentTask();
      });
      expect(sync!.name).toBe('parse');
    });
  });

  it('is listed by its function name while it runs', async () => {
    const rt = await Runtime.currentThread();
    try {
      await rt.blockOn(async () => {
        const h = spawn(async function pollFeed() {
          await sleep(50);
        });
        await sleep(1);
        const dump = await rt.taskDump();
        expect(dump.map((t) => t.name)).toContain('pollFeed');
        h.abort();
      });
    } finally {
      await rt.shutdown();
    }
  });
});
