/**
 * The guide's axum users server (002) on @skein/net, in either flavour, with axum's
 * graceful shutdown on SIGINT / SIGTERM.
 *
 *   tsx examples/net/users_server.ts [--flavor current|multi] [--port 3000] [--load 3000]
 *
 * current: closure handlers share a skein RwLock on the main thread.
 * multi:   task() handlers run on 2 workers; the state is a SharedRwLock (@skein/workers).
 * --load ms: instead of serving until a signal, put the server under load from the built-in
 *            client for that long, print req/s and latency, and shut down.
 */
import { parseArgs } from 'node:util';
import { Runtime } from '@skein/core';
import { Router, serve, type Server } from '@skein/net';
import { SharedRwLock } from '@skein/workers';
import { load } from './load_client.js';
import { usersRouter, type User } from './users_routes.js';
import { createUser, getUser, type SharedUsersState } from './users_tasks.js';

const { values } = parseArgs({
  options: {
    flavor: { type: 'string', default: 'current' },
    port: { type: 'string', default: '3000' },
    load: { type: 'string' },
  },
});
const flavor = values.flavor === 'multi' ? 'multi' : 'current';

/** The multi-thread router: task() handlers over a SharedRwLock. */
function sharedRouter(): Router<SharedUsersState> {
  return new Router<SharedUsersState>()
    .get('/users/{id}', getUser)
    .post('/users', createUser)
    .withState({ db: new SharedRwLock<Record<string, User>>({ 1: { id: 1, name: 'Alice' } }), latencyMs: 0 });
}

/** Resolves on the first SIGINT or SIGTERM (axum's `shutdown_signal`). */
function shutdownSignal(): Promise<string> {
  return new Promise((resolve) => {
    const on = (sig: string) => () => resolve(sig);
    process.once('SIGINT', on('SIGINT'));
    process.once('SIGTERM', on('SIGTERM'));
  });
}

const rt =
  flavor === 'multi' ? await Runtime.builder().multiThread().workerThreads(2).build() : await Runtime.builder().build();
try {
  await rt.blockOn(async () => {
    const addr = { host: '127.0.0.1', port: values.load === undefined ? Number(values.port) : 0 };
    const server: Server = flavor === 'multi' ? await serve(addr, sharedRouter()) : await serve(addr, usersRouter());
    console.log(`users server (${flavor}_thread) listening on ${server.url}`);
    if (values.load === undefined) {
      const sig = await shutdownSignal();
      console.log(`${sig}: shutting down gracefully`);
    } else {
      const created = await fetch(`${server.url}/users`, {
        method: 'POST',
        body: JSON.stringify({ id: 2, name: 'Bob' }),
      });
      console.log(`POST /users -> ${created.status} ${await created.text()}`);
      let i = 0;
      const r = await load(() => `${server.url}/users/${(i++ % 2) + 1}`, 32, Number(values.load));
      console.log(
        `GET /users/{id} under load: ${r.rps} req/s, p50 ${r.p50Ms.toFixed(2)} ms, p99 ${r.p99Ms.toFixed(2)} ms, ${r.errors} errors`,
      );
    }
    await server.shutdown({ timeoutMs: 5_000 });
    console.log('server closed');
  });
} finally {
  await rt.shutdown();
}
