import { Runtime } from '@skein/core';

/**
 * Run `f` as the root task of a fresh current-thread runtime whose clock starts paused, then
 * shut the runtime down: time-based assertions become exact instants.
 */
export async function paused<T>(f: () => Promise<T>): Promise<T> {
  const rt = await Runtime.builder().startPaused(true).build();
  try {
    return await rt.blockOn(f);
  } finally {
    await rt.shutdown();
  }
}
