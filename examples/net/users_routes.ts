/**
 * The users API of the async/await guide (002), as @skein/net routes: `GET /users/{id}` and
 * `POST /users` over state behind an async RwLock. Closure handlers: they run as tasks on
 * the accepting thread, and share the lock object (current-thread flavour).
 */
import { RwLock, sleep } from '@skein/core';
import { Router } from '@skein/net';

export interface User {
  id: number;
  name: string;
}
export interface UsersState {
  db: RwLock<Map<number, User>>;
}

/** The router; `latencyMs` stands in for a database round trip (the benchmark uses 1). */
export function usersRouter(latencyMs = 0): Router<UsersState> {
  return new Router<UsersState>()
    .get('/users/{id}', async (_req, { params, state }) => {
      using users = await state.db.read();
      if (latencyMs > 0) await sleep(latencyMs);
      return users.value.get(Number(params.id)) ?? Response.json('User not found', { status: 404 });
    })
    .post('/users', async (req, { state }) => {
      const user = (await req.json()) as User;
      using users = await state.db.write();
      users.value.set(user.id, user);
      return Response.json(user, { status: 201 });
    })
    .withState({ db: new RwLock(new Map([[1, { id: 1, name: 'Alice' }]])) });
}
