import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// Every program under examples/guides/ (the skein versions of the Rust guides' samples)
// runs to completion in its own process, as a user would run it, and prints a line it is
// known to print. A new example without an entry here fails the suite, so the map keeps up.
const root = fileURLToPath(new URL('../../../', import.meta.url));
const guides = `${root}examples/guides/`;

const expected: Record<string, string | RegExp> = {
  'blocking_the_executor.ts': 'good_example: 50 ms took',
  'buffer_unordered.ts': /buffer_unordered\(10\): 30 users in \d+ ms, max in flight 10/,
  'concurrent_execution.ts': 'Fast source won: Data from Fast',
  'explicit_runtime.ts': 'multi_thread runtime: 2 worker threads',
  'fetch_users_http.ts': 'process_users failed: GET /users/6: HTTP 404',
  'graceful_shutdown.ts': 'all workers stopped',
  'hello_await.ts': 'Hello from hello!',
  'http_server_shared_state.ts': 'GET /users/2 -> 404 "User not found"',
  'join_all.ts': '[2,4,6]',
  'join_concurrent.ts': 'Users: 2, Orders: 1, Stock: 84',
  'join_set.ts': 'joinAll rethrew: Error: job 3 failed',
  'lazy_futures.ts': 'thunk made, nothing printed',
  'mpsc_producer_consumer.ts': 'Received: message-4',
  'multi_thread_spawn.ts': /dataset_b done on thread \d+: 999912/,
  'oneshot_broadcast.ts': 'oneshot reply: 42',
  'runtime_metrics.ts': 'tasks spawned: 200, joined: 200',
  'select_race.ts': 'Cache hit: cached_value',
  // The point is the limit: the server never sees more than 3 requests at once.
  'semaphore_limit.ts': /max concurrent requests seen by the server: [1-3] \(limit 3\)/,
  'send_boundaries.ts': 'closure: NotSendableError (ERR_SKEIN_NOT_SENDABLE)',
  'shared_state_mutex.ts': 'counts: [["node",1],["skein",2],["tokio",3]]',
  'spawn_and_join.ts': 'Background returned: Result Data',
  'spawn_blocking.ts': 'Sum: 499999500000',
  'spawn_in_loop.ts': 'Task result: "Data for id: 5"',
  'sync_vs_async.ts': /Async took: \d+ ms for Data 1, Data 2, Data 3/,
  'task_panic.ts': 'panicked (Error: index out of bounds)',
  'timeout.ts': 'Timed out',
  'tokio_main.ts': 'Got: data loaded',
  'typed_errors_config.ts': 'AppError(parse)',
};

const files = readdirSync(guides)
  .filter((f) => f.endsWith('.ts'))
  .sort();

function run(file: string): string {
  try {
    // NODE_OPTIONS cleared: the child gets tsx and the source condition from its own
    // arguments, not from whatever the test runner put there.
    return execFileSync(process.execPath, ['--import', 'tsx', '--conditions=skein-source', `${guides}${file}`], {
      cwd: root,
      encoding: 'utf8',
      timeout: 30_000,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, NODE_OPTIONS: '' },
    });
  } catch (e) {
    const err = e as { status?: number | null; signal?: string | null; stdout?: string; stderr?: string };
    throw new Error(
      `${file} failed (exit ${err.status ?? 'none'}, signal ${err.signal ?? 'none'})\nstdout:\n${err.stdout ?? ''}\nstderr:\n${err.stderr ?? ''}`,
    );
  }
}

describe('examples/guides', () => {
  it('has an expected line for every example, and an example for every expected line', () => {
    expect(files).toEqual(Object.keys(expected).sort());
  });

  // One at a time: each starts its own runtime (some with worker threads), and the
  // machine is shared.
  it.each(files)('%s runs and prints its known line', (file) => {
    const out = run(file);
    expect(out.trim()).not.toBe('');
    const want = expected[file];
    if (want === undefined) throw new Error(`no expected line for ${file}: add one to the map`);
    if (typeof want === 'string') expect(out).toContain(want);
    else expect(out).toMatch(want);
  });
});
