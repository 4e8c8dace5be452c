/**
 * Mirrors "Error Handling in Async Rust" in the Tokio guide (004): `load_config(url)`
 * returning `Result<Config, AppError>`, where `AppError` has `Network`, `Parse` and `Io`
 * variants and each `.await` maps its error with `map_err(...)?`.
 *
 * Differs from Rust: the enum becomes an Error subclass with a `kind` tag and the original
 * error as `cause`; `map_err(AppError::Network)?` becomes a try/catch that rethrows wrapped.
 * The "remote" config lives on a local node:http server (port 0, 127.0.0.1), and the network
 * failure is a request to a port that was just closed, so nothing leaves the machine.
 * serde's derive has no counterpart, so the Config shape is checked by hand.
 */
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { main } from '@skein/core';

interface Config {
  db_url: string;
  port: number;
}

class AppError extends Error {
  constructor(
    readonly kind: 'network' | 'parse' | 'io',
    cause: unknown,
  ) {
    super(`${kind} error: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
    this.name = 'AppError';
  }
}

function parseConfig(text: string): Config {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    throw new AppError('parse', e);
  }
  const c = v as Config;
  if (typeof c?.db_url !== 'string' || typeof c?.port !== 'number') {
    throw new AppError('parse', new TypeError('expected { db_url: string, port: number }'));
  }
  return c;
}

async function loadConfig(url: string): Promise<Config> {
  let text: string;
  try {
    const response = await fetch(url);
    text = await response.text();
  } catch (e) {
    throw new AppError('network', e);
  }
  return parseConfig(text);
}

// The Io variant: the same config read from a file.
async function loadConfigFile(path: string): Promise<Config> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    throw new AppError('io', e);
  }
  return parseConfig(text);
}

async function attempt(label: string, f: () => Promise<Config>): Promise<void> {
  try {
    const config = await f();
    console.log(`${label}: Config { db_url: ${config.db_url}, port: ${config.port} }`);
  } catch (e) {
    if (!(e instanceof AppError)) throw e;
    console.log(`${label}: AppError(${e.kind}): ${e.message}`);
  }
}

await main(async () => {
  const server = createServer((req, res) => {
    if (req.url === '/config.json') res.end('{"db_url":"postgres://localhost/app","port":8080}');
    else res.end('{"db_url": oops');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  try {
    await attempt('good config', () => loadConfig(`${base}/config.json`));
    await attempt('bad json', () => loadConfig(`${base}/broken.json`));
  } finally {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
  await attempt('server gone', () => loadConfig(`${base}/config.json`));
  await attempt('missing file', () => loadConfigFile('/nonexistent/skein-config.json'));
});
