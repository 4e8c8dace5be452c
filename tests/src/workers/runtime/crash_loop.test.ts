import { describe, expect, it } from 'vitest';
import { JoinError } from '@skein/core';
import { WorkerCrashedError } from '@skein/workers';
import { unreachable } from './fixtures/crash_on_import.js';
import { captureLogs, multiThread } from './helpers.js';

describe('workers that keep crashing the same way', () => {
  it('are not replaced forever: the tasks fail with the crash, and later spawns fail too', async () => {
    const { logger, lines } = captureLogs();
    const rt = await multiThread(2, logger);
    try {
      const err = await rt.spawn(unreachable).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(JoinError);
      const cause = (err as JoinError).cause;
      expect(cause).toBeInstanceOf(WorkerCrashedError);
      expect((cause as Error).message).toMatch(/exit code 3/);
      expect((cause as Error).message).toMatch(/in a row the same way, so it is not replaced/);
      const givenUp = lines.filter((l) => /not replacing it/.test(String(l.msg)));
      expect(givenUp.map((l) => l.worker).sort()).toEqual([0, 1]);
      // No worker is left: a later spawn fails the same way instead of waiting forever.
      const late = await rt.spawn(unreachable).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect((late as JoinError).cause).toBeInstanceOf(WorkerCrashedError);
    } finally {
      await rt.shutdown();
    }
  });
});
