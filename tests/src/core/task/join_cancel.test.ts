/**
 * A joiner that is cancelled stops waiting: the joined task forgets it at once, so an
 * aborted task parked on a long-running task's handle can be collected before that task
 * ends (nothing else would show the leak: the stale joiner's wake is simply ignored).
 */
import { describe, expect, it } from 'vitest';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { JoinError, currentTask, sleep, spawn, yieldNow } from '@skein/core';
import { withRuntime } from '../sync/helpers.js';

describe('cancelled joiners', () => {
  it('an aborted task awaiting a pending handle is no longer referenced by the joined task', async () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    await withRuntime(async () => {
      const long = spawn(() => sleep(3_600_000));
      // In a function of its own, so that nothing here keeps the joiner's handle.
      const abortJoiner = async (): Promise<WeakRef<object>> => {
        let ref: WeakRef<object> | undefined;
        const joiner = spawn(async () => {
          ref = new WeakRef(currentTask()!);
          await long;
        });
        await yieldNow();
        joiner.abort();
        const err = await joiner.then(
          () => undefined,
          (e: unknown) => e,
        );
        if (!(err instanceof JoinError) || !err.isCancelled()) throw new Error('expected a cancelled JoinError');
        return ref!;
      };
      const ref = await abortJoiner();
      for (let i = 0; i < 3; i++) await yieldNow();
      // Let the aborted task's last promises and reactions go, then collect.
      await new Promise((r) => setTimeout(r, 10));
      gc();
      gc();
      expect(ref.deref()).toBeUndefined();
      long.abort();
    });
  });
});
