import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// The @skein/net examples and the demo run to completion in their own process, as a user runs them.
const root = fileURLToPath(new URL('../../../', import.meta.url));

function run(file: string, args: string[] = []): string {
  return execFileSync(
    process.execPath,
    ['--import', 'tsx', '--conditions=skein-source', `${root}examples/${file}`, ...args],
    {
      cwd: root,
      encoding: 'utf8',
      timeout: 60_000,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, NODE_OPTIONS: '' },
    },
  );
}

describe('examples/net', () => {
  it('tcp_echo.ts echoes what the client sent', () => {
    expect(run('net/tcp_echo.ts')).toContain('echoed: "hello\\nfrom\\nskein\\n"');
  });

  it('users_server.ts serves the users API under load (current-thread) and shuts down', () => {
    const out = run('net/users_server.ts', ['--load', '500']);
    expect(out).toContain('POST /users -> 201 {"id":2,"name":"Bob"}');
    expect(out).toMatch(/GET \/users\/\{id\} under load: \d+ req\/s, p50 [\d.]+ ms, p99 [\d.]+ ms, 0 errors/);
    expect(out).toContain('server closed');
  });

  it('users_server.ts --flavor multi serves from task() handlers on the workers, state in a SharedRwLock', () => {
    const out = run('net/users_server.ts', ['--flavor', 'multi', '--load', '500']);
    expect(out).toContain('users server (multi_thread)');
    expect(out).toContain('POST /users -> 201 {"id":2,"name":"Bob"}');
    expect(out).toMatch(/GET \/users\/\{id\} under load: \d+ req\/s, p50 [\d.]+ ms, p99 [\d.]+ ms, 0 errors/);
    expect(out).toContain('server closed');
  });

  it('demo.ts serves HTTP under load from its built-in client; worker tasks report through a sharedMpsc channel', () => {
    const out = run('demo.ts', ['--seconds', '2']);
    expect(out).toMatch(/HTTP server on http:\/\/127\.0\.0\.1:\d+/);
    expect(out).toMatch(/http requests +[1-9]\d* \(\d+ req\/s, p50 [\d.]+ ms, p99 [\d.]+ ms, 0 errors\)/);
    expect(out).toMatch(/fib route answers +[1-9]\d* \(computed on the workers\)/);
    expect(out).toMatch(/worker reports +[1-9]\d* through one sharedMpsc channel/);
  });
});
