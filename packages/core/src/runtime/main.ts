/**
 * `main(fn)`: `#[tokio::main]`. Builds a runtime from options and the environment
 * (`SKEIN_FLAVOR=multi_thread|current_thread`, `SKEIN_WORKER_THREADS`), runs `fn` as the
 * root task, shuts down, and on failure logs the error and sets `process.exitCode = 1`
 * instead of rejecting, so a script's last line can be `main(async () => { ... })`.
 */
import type { RuntimeConfig } from './config.js';
import { Runtime } from './runtime.js';

/** Run `fn` on a fresh runtime, then shut it down. Resolves even when `fn` throws. */
export async function main(fn: () => unknown, opts?: Partial<RuntimeConfig>): Promise<void> {
  const envFlavor = process.env.SKEIN_FLAVOR;
  const flavor =
    opts?.flavor ?? (envFlavor === 'multi_thread' || envFlavor === 'current_thread' ? envFlavor : 'current_thread');
  let rt: Runtime | undefined;
  try {
    rt = await Runtime.builder()
      .configure({ ...opts, flavor })
      .build();
    await rt.blockOn(fn);
  } catch (err) {
    if (rt !== undefined) rt.logger.error({ err }, 'main() failed');
    else console.error(err);
    process.exitCode = 1;
  } finally {
    await rt?.shutdown();
  }
}
