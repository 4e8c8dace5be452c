/**
 * Mirrors "Async/Await Fundamentals" in the async/await guide (002): `fetch_user(id)` doing
 * `reqwest::get(url).await?.json::<User>().await?`, and `process_users` chaining such calls
 * with `?`, first for one user and then for ids 1 to 5 in a loop.
 *
 * Differs from Rust: no external network (api.example.com), so a local node:http server on
 * port 0 (an @skein/net Router, each request a skein task) stands in for the API. Node's fetch replaces
 * reqwest and `res.json()` replaces serde: there is no derive, so the shape is checked by
 * hand. `Result<_, reqwest::Error>` and `?` become throw and propagation; fetch does not
 * treat a 404 as an error (nor does reqwest without `error_for_status`), so fetchUser
 * checks the status itself. The last call asks for a missing user to show the `?` path.
 */
import { main, sleep } from '@skein/core';
import { Router, serve } from '@skein/net';

interface User {
  id: number;
  name: string;
}

const NAMES = ['Ada', 'Grace', 'Linus', 'Barbara', 'Ken'];

function isUser(v: unknown): v is User {
  return (
    typeof v === 'object' && v !== null && typeof (v as User).id === 'number' && typeof (v as User).name === 'string'
  );
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
  // The stand-in API, on @skein/net: each request is a task on this runtime.
  const api = new Router().get('/users/{id}', async (_req, ctx) => {
    await sleep(1); // the API's "database"
    const id = Number(ctx.params.id);
    const name = NAMES[id - 1];
    return name === undefined ? new Response(null, { status: 404 }) : { id, name };
  });
  const server = await serve('127.0.0.1:0', api);
  const base = server.url;

  try {
    const users = await processUsers(base, [1, 2, 3, 4, 5]);
    console.log(`process_users: ${users.map((u) => u.name).join(', ')}`);
    try {
      await processUsers(base, [4, 5, 6]);
    } catch (e) {
      console.log(`process_users failed: ${(e as Error).message}`);
    }
  } finally {
    await server.shutdown();
  }
});
