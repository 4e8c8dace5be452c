/**
 * The users API as task() handlers, for the multi-thread flavour: they run on the workers,
 * so the state crosses threads. It is a SharedRwLock (from @skein/workers) holding the
 * users as a plain object: a read guard's value is a copy, and assigning a write guard's
 * value stores the new table for the next holder. Side-effect free: workers import it.
 */
import { sleep, task } from '@skein/core';
import type { RequestContext } from '@skein/net';
import type { SharedRwLock } from '@skein/workers';
import type { User } from './users_routes.js';

export interface SharedUsersState {
  db: SharedRwLock<Record<string, User>>;
  latencyMs: number;
}

export const getUser = task(
  import.meta,
  async function getUser(_req: Request, ctx: RequestContext<SharedUsersState>): Promise<unknown> {
    using users = await ctx.state.db.read();
    if (ctx.state.latencyMs > 0) await sleep(ctx.state.latencyMs);
    return users.value[ctx.params.id!] ?? Response.json('User not found', { status: 404 });
  },
);

export const createUser = task(
  import.meta,
  async function createUser(req: Request, ctx: RequestContext<SharedUsersState>): Promise<Response> {
    const user = (await req.json()) as User;
    using users = await ctx.state.db.write();
    users.value = { ...users.value, [user.id]: user };
    return Response.json(user, { status: 201 });
  },
);
