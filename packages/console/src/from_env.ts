/**
 * `SKEIN_CONSOLE=port`: start the console from the environment. Core's `build()` is meant
 * to call this (loading @skein/console on demand); until it does, call it after building.
 */
import { rangeError } from '@skein/core';
import { serveConsole, type ConsoleServer } from './server.js';
import type { ConsoleRuntime } from './snapshot.js';

/**
 * Serve the console for `runtime` on the port in `env.SKEIN_CONSOLE` (on 127.0.0.1), or do
 * nothing (undefined) when it is unset or empty.
 *
 * Errors: RangeError `ERR_SKEIN_INVALID_ENV` when it isn't a port number (0 to 65535);
 * the listen error if the port can't be bound.
 */
export async function startFromEnv(
  runtime: ConsoleRuntime,
  env: NodeJS.ProcessEnv = process.env,
): Promise<ConsoleServer | undefined> {
  const v = env.SKEIN_CONSOLE?.trim();
  if (v === undefined || v === '') return undefined;
  const port = Number(v);
  if (!/^\d+$/.test(v) || port > 65535) {
    throw rangeError(
      `SKEIN_CONSOLE=${JSON.stringify(v)} is not a port: set it to a number from 0 to 65535 (0 picks a free one), or unset it`,
      'ERR_SKEIN_INVALID_ENV',
    );
  }
  return serveConsole(runtime, { port });
}
