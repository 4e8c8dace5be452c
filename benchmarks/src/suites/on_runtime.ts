/** Contenders that run on a skein runtime of their own. */
import { Runtime } from '@skein/core';
import type { Contender } from '../harness.js';

/**
 * Run each round as `body`, the root task of a current-thread runtime this contender builds
 * for itself. The harness sets every contender up before the rounds, so a runtime variable
 * shared by a suite's contenders left all but the last one built leaked, and ran every
 * contender on that last one. `tune` configures the builder (task tracking, a logger).
 */
export function onRuntime(
  body: () => Promise<void>,
  tune: (b: ReturnType<typeof Runtime.builder>) => ReturnType<typeof Runtime.builder> = (b) => b,
): Pick<Contender, 'setup' | 'teardown' | 'run'> {
  let rt: Runtime | undefined;
  return {
    async setup() {
      rt = await tune(Runtime.builder().currentThread()).build();
    },
    async teardown() {
      await rt?.shutdown();
    },
    run: () => rt!.blockOn(body),
  };
}
