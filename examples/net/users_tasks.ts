/**
 * The users API as task() handlers, for the multi-thread flavour: they run on the workers,
 * so the state crosses threads. It is a SharedRwLock (from @skein/workers) holding the
 * users as a plain object: a read guard's value is a copy, and assigning a write guard's
 * value stores the new table for the next holder. Side-effect free: workers import it.
 */
import { sleep, task } from '@skein/core';
import type { RequestContext } from '@skein/net';
import type { User } from './users_routes.js';

/** The parts of SharedRwLock these handlers use. */
export interface SharedTable {
  read(): Promise<{ readonly value: Record<string, User>; release(): void }>;
  write(): Promise<{ value: Record<string, User>; release(): void }>;
}

export interface SharedUsersState { db: SharedTable; latencyMs: number }

export const getUser = task(import.meta, async function getUser(_req: Request, ctx: RequestContext<SharedUsersState>): Promise<unknown> {
  const guard = await ctx.state.db.read();
  try {
    if (ctx.state.latencyMs > 0) await sleep(ctx.state.latencyMs);
    return guard.value[ctx.params.id!] ?? Response.json('User not found', { status: 404 });
  } finally {
    guard.release();
  }
});

export const createUser = task(import.meta, async function createUser(req: Request, ctx: RequestContext<SharedUsersState>): Promise<Response> {
  const user = await req.json() as User;
  const guard = await ctx.state.db.write();
  try {
    guard.value = { ...guard.value, [user.id]: user };
  } finally {
    guard.release();
  }
  return Response.json(user, { status: 201 });
});
