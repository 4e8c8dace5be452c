import { describe, expect, it } from 'vitest';
import { Runtime, spawn, yieldNow, type JoinHandle } from '@skein/core';
import { inc } from '../runtime/fixtures/basic.js';
import { multiThread } from '../runtime/helpers.js';

// Regression: thousands of tasks resumed in one turn, each then awaiting a JoinHandle that
// is already finished. The resumes used up the turn's whole coop budget, so every ready
// join found it spent and yielded again, forever (core's coop(); found by the stress test).
/** 2000 tasks, each spawning `inner()`, yielding once, then awaiting its handle 5 times. */
function manyJoinsOfFinished(rt: Runtime, inner: () => JoinHandle<number>): Promise<number> {
  return rt.blockOn(async () => {
    const hs = [];
    for (let i = 0; i < 2000; i++) {
      hs.push(
        spawn(async () => {
          const h = inner();
          await yieldNow();
          let s = 0;
          for (let k = 0; k < 5; k++) s += await h;
          return s;
        }),
      );
    }
    let s = 0;
    for (const h of hs) s += await h;
    return s;
  });
}

describe('cooperative budget with many tasks awaiting finished handles', () => {
  it('makes progress on the current-thread runtime', async () => {
    const rt = await Runtime.currentThread({ logger: 'silent' });
    try {
      expect(await manyJoinsOfFinished(rt, () => spawn(() => 1))).toBe(10_000);
    } finally {
      await rt.shutdown();
    }
  });

  it('makes progress for main-thread tasks joining many finished cross-thread handles', async () => {
    const rt = await multiThread(2);
    try {
      expect(await manyJoinsOfFinished(rt, () => spawn(inc, 0))).toBe(10_000);
    } finally {
      await rt.shutdown();
    }
  });
});
