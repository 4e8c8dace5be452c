/**
 * Mirrors "Async/Await Fundamentals" in the async/await guide (002): `fetch_user(id)` doing
 * `reqwest::get(url).await?.json::<User>().await?`, and `process_users` chaining such calls
 * with `?`, first for one user and then for ids 1 to 5 in a loop.
 *
 * Differs from Rust: no external network (api.example.com), so a local node:http server on
 * port 0 stands in for the API, with its handlers run as skein tasks. Node's fetch replaces
 * reqwest and `res.json()` replaces serde: there is no derive, so the shape is checked by
 * hand. `Result<_, reqwest::Error>` and `?` become throw and propagation; fetch does not
 * treat a 404 as an error (nor does reqwest without `error_for_status`), so fetchUser
 * checks the status itself. The last call asks for a missing user to show the `?` path.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Handle, main, sleep } from '@skein/core';

interface User { id: number; name: string }

const NAMES = ['Ada', 'Grace', 'Linus', 'Barbara', 'Ken'];

function isUser(v: unknown): v is User {
  return typeof v === 'object' && v !== null && typeof (v as User).id === 'number' && typeof (v as User).name === 'string';
}

async function fetchUser(base: string, id: number): Promise<User> {
  const response = await fetch(`${base}/users/${id}`); // wait for the request
  if (!response.ok) throw new Error(`GET /users/${id}: HTTP ${response.status}`);
  const user: unknown = await response.json(); // wait for the JSON body
  if (!isUser(user)) throw new TypeError(`GET /users/${id}: not a User`);
  return user;
}

async function processUsers(base: string, userIds: number[]): Promise<User[]> {
  // Chain async operations: any failure propagates, like `?`.
  const user = await fetchUser(base, 1);
  console.log(`Fetched: ${JSON.stringify(user)}`);

  const users: User[] = [];
  for (const id of userIds) users.push(await fetchUser(base, id));
  return users;
}

await main(async () => {
  const rt = Handle.current();
  const server = createServer((req, res) => {
    rt.spawn(async () => {
      await sleep(1); // the API's "database"
      const id = Number(/^\/users\/(\d+)$/.exec(req.url ?? '')?.[1]);
      const name = NAMES[id - 1];
      if (name === undefined) res.writeHead(404).end();
      else res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ id, name }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  try {
    const users = await processUsers(base, [1, 2, 3, 4, 5]);
    console.log(`process_users: ${users.map((u) => u.name).join(', ')}`);
    try {
      await processUsers(base, [4, 5, 6]);
    } catch (e) {
      console.log(`process_users failed: ${(e as Error).message}`);
    }
  } finally {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
});
