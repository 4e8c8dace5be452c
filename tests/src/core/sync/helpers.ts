import { Runtime, yieldNow } from '@skein/core';
export { rng } from '../../support/rng.js';
export { rejection, thrown } from '../../support/outcomes.js';

/** Run `fn` as the root task of a fresh current-thread runtime, then shut it down. */
export async function withRuntime<T>(fn: () => Promise<T>, opts?: { paused?: boolean }): Promise<T> {
  const rt = await Runtime.builder()
    .startPaused(opts?.paused ?? false)
    .build();
  try {
    return await rt.blockOn(fn);
  } finally {
    await rt.shutdown();
  }
}

/** Give every ready task a few turns (each yield is a full event-loop turn). */
export async function settle(turns = 5): Promise<void> {
  for (let i = 0; i < turns; i++) await yieldNow();
}
