/**
 * Mirrors "Real-World Example: Async HTTP Server" in the async/await guide (002): an Axum
 * app with `GET /users/:id` and `POST /users` over `Arc<RwLock<HashMap<u32, User>>>`.
 *
 * On @skein/net, the Router and serve() are axum's: `/users/{id}` path params, JSON bodies
 * and results, `withState` for the shared state, each request a task on the runtime.
 * Differs from Rust: state is a skein RwLock around a Map with no Arc, since every task of
 * a current-thread runtime shares the object (examples/net/users_server.ts has the
 * multi-thread version, where the state is a SharedRwLock). Instead of binding port 3000
 * and serving forever, it binds port 0 on 127.0.0.1, makes a few requests to itself and
 * shuts down gracefully.
 */
import { RwLock, main } from '@skein/core';
import { Router, serve } from '@skein/net';

interface User {
  id: number;
  name: string;
}
interface AppState {
  db: RwLock<Map<number, User>>;
}

const app = new Router<AppState>()
  .get('/users/{id}', async (_req, { params, state }) => {
    using users = await state.db.read(); // many readers at once
    const user = users.value.get(Number(params.id));
    return user ?? Response.json('User not found', { status: 404 });
  })
  .post('/users', async (req, { state }) => {
    const user = (await req.json()) as User;
    using users = await state.db.write(); // exclusive; released at the end of the block
    users.value.set(user.id, user);
    return user;
  })
  .withState({ db: new RwLock(new Map<number, User>()) });

await main(async () => {
  const server = await serve('127.0.0.1:0', app);
  console.log(`Server running on ${server.url}`);
  const base = server.url;
  try {
    const created = await fetch(`${base}/users`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ id: 1, name: 'Alice' }),
    });
    console.log(`POST /users -> ${created.status} ${await created.text()}`);
    // Concurrent reads share the read lock.
    const [a, b] = await Promise.all([fetch(`${base}/users/1`), fetch(`${base}/users/2`)]);
    console.log(`GET /users/1 -> ${a.status} ${await a.text()}`);
    console.log(`GET /users/2 -> ${b.status} ${await b.text()}`);
  } finally {
    await server.shutdown();
  }
  console.log('server closed');
});
