/**
 * Mirrors "Real-World Example: Async HTTP Server" in the async/await guide (002): an Axum
 * app with `GET /users/:id` and `POST /users` over `Arc<RwLock<HashMap<u32, User>>>`.
 *
 * Differs from Rust: @skein/net (skein's HTTP server) isn't built yet, so this uses
 * node:http, and each request is handed to a skein task: the counterpart of Axum running a
 * handler per request on the runtime. The request callback comes from Node's event loop,
 * outside any task, so it spawns through a Handle captured in the root task. State is a
 * skein RwLock around a Map; no Arc is needed, since every task is on the one thread and
 * shares the object. Instead of binding port 3000 and serving forever, it binds port 0 on
 * 127.0.0.1, makes a few requests to itself and closes.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Handle, RwLock, main } from '@skein/core';

interface User { id: number; name: string }
type UserDb = RwLock<Map<number, User>>;

async function readBody(req: IncomingMessage): Promise<string> {
  let body = '';
  for await (const chunk of req) body += String(chunk);
  return body;
}

function json(res: ServerResponse, status: number, value: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(value));
}

async function getUser(db: UserDb, id: number, res: ServerResponse): Promise<void> {
  using users = await db.read(); // many readers at once
  const user = users.value.get(id);
  if (user === undefined) json(res, 404, 'User not found');
  else json(res, 200, user);
}

async function createUser(db: UserDb, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const user = JSON.parse(await readBody(req)) as User;
  using users = await db.write(); // exclusive; released at the end of the block
  users.value.set(user.id, user);
  json(res, 200, user);
}

// The router: one task per request.
async function route(db: UserDb, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const m = /^\/users\/(\d+)$/.exec(req.url ?? '');
  if (req.method === 'GET' && m !== null) await getUser(db, Number(m[1]), res);
  else if (req.method === 'POST' && req.url === '/users') await createUser(db, req, res);
  else json(res, 404, 'not found');
}

await main(async () => {
  const db: UserDb = new RwLock(new Map());
  const rt = Handle.current();
  const server = createServer((req, res) => {
    const handler = rt.spawn(() => route(db, req, res));
    // A failed handler answers 500 instead of leaving the client waiting.
    handler.then(undefined, (err: unknown) => {
      if (!res.headersSent) json(res, 500, String(err));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  console.log(`Server running on ${base}`);

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
    server.closeAllConnections(); // fetch keeps connections alive; don't wait for them
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
  console.log('server closed');
});
