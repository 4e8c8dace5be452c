/**
 * `SKEIN_CONSOLE=port`: `build()` serves the console (@skein/console) for the runtime it
 * built. The package is loaded only then, the way @skein/workers is (see backends.ts), so
 * core has no static dependency on it.
 */
import { SkeinError } from '../errors/skein_error.js';
import type { Runtime } from './runtime.js';

/** What @skein/console exports for core. */
interface ConsoleModule {
  startFromEnv(runtime: Runtime): Promise<unknown>;
}

/** The error for `SKEIN_CONSOLE` when @skein/console isn't installed. */
export class ConsoleMissingError extends SkeinError {
  constructor() {
    super(
      'ERR_SKEIN_CONSOLE_MISSING',
      'SKEIN_CONSOLE is set but the @skein/console package is not installed. Install it next to @skein/core (`npm install @skein/console`), or unset SKEIN_CONSOLE',
    );
  }
}

/**
 * Serve the console on the port in `SKEIN_CONSOLE`.
 * Errors: ConsoleMissingError without @skein/console; the console's own errors (a bad port,
 * a port in use).
 */
export async function startConsoleFromEnv(rt: Runtime): Promise<void> {
  let m: ConsoleModule;
  try {
    m = (await import('@skein/console' as string)) as ConsoleModule;
  } catch (err) {
    if (
      (err as { code?: string }).code === 'ERR_MODULE_NOT_FOUND' &&
      String((err as Error).message).includes('@skein/console')
    )
      throw new ConsoleMissingError();
    throw err;
  }
  await m.startFromEnv(rt);
}
