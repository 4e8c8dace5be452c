import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Runtime, spawn, TryRecvError, yieldNow } from '@skein/core';
import { sharedMpsc } from '@skein/workers';
import { inc } from '../runtime/fixtures/basic.js';
import { sendThenSignal, spinSlices } from './fixtures/channel_tasks.js';

/**
 * Tokio's abort: once `abort()` returns, a task parked on an await never makes progress
 * past it, even when the await's wake-up (here a slot freed by the receiver) was sent after
 * the abort. On another thread the abort travels as a notice through the worker's mailbox
 * and the wake-up through the channel's own word, and the worker must see the notice first.
 */
describe('cross-thread abort against a later wake-up', () => {
  let rt: Runtime;
  beforeAll(async () => {
    rt = await Runtime.builder().multiThread().workerThreads(2).logger('silent').build();
  });
  afterAll(async () => {
    await rt.shutdown();
  });

  it('a send aborted before its slot was freed never sends, and the slot comes back', async () => {
    const rounds = 200;
    const [tx, rx] = sharedMpsc.channel<number>(1);
    const [parkedTx, parkedRx] = sharedMpsc.unboundedChannel<number>();
    const stop = new Int32Array(new SharedArrayBuffer(4));
    const leaked = await rt.blockOn(async () => {
      // Workers busy with started tasks and claiming new ones: the abort notice waits for the
      // loop's next tick, while the slot's wake-up resumes its task in the next drain.
      const spinners = [spawn(spinSlices, stop), spawn(spinSlices, stop)];
      let flooding = true;
      const flood = (async () => {
        while (flooding) {
          const hs = Array.from({ length: 64 }, (_, i) => spawn(inc, i));
          for (const x of hs) await x;
        }
      })();
      const sent: number[] = [];
      for (let round = 0; round < rounds; round++) {
        tx.trySend(-1);
        const h = spawn(sendThenSignal, tx, parkedTx, round);
        expect(await parkedRx.recv()).toBe(round);
        h.abort();
        expect(await rx.recv()).toBe(-1); // frees the slot the aborted task waits for
        // Either the task resumed and sent, or its worker gives the slot back.
        for (;;) {
          try {
            sent.push(rx.tryRecv());
            break;
          } catch (err) {
            expect(err).toBeInstanceOf(TryRecvError);
          }
          if (tx.capacity() === 1) break;
          await yieldNow();
        }
        await h.catch(() => undefined);
      }
      flooding = false;
      Atomics.store(stop, 0, 1);
      await flood;
      for (const s of spinners) await s;
      return sent;
    });
    expect(leaked).toEqual([]);
  });
});
