/**
 * Mirrors the `tokio::join!` samples: `join!(fetch_user(), fetch_posts())` (000, "Using
 * tokio::join!") and `join!(fetch_users(), fetch_orders(), fetch_inventory())` finishing in
 * the longest branch's time, not the sum (004, "Joining Multiple Futures").
 *
 * Differs from Rust: `join` is a function returning a Promise of a tuple. Each argument may
 * be a promise (already running, as JS promises are eager) or a thunk (started by `join`
 * in its own cancel scope, receiving an AbortSignal). Like `join!`, every branch runs to
 * completion; if one throws, `join` rejects with the first error once all have settled
 * (`tryJoin` is the early-exit variant, like `try_join!`).
 */
import { Instant, join, main, sleep } from '@skein/core';

async function fetchUser(): Promise<string> {
  return 'Alice';
}

async function fetchPosts(): Promise<string[]> {
  return ['Post 1'];
}

async function fetchUsers(): Promise<string[]> {
  await sleep(40);
  return ['Alice', 'Bob'];
}

async function fetchOrders(): Promise<string[]> {
  await sleep(30);
  return ['ORD-001'];
}

async function fetchInventory(): Promise<number> {
  await sleep(20);
  return 84;
}

await main(async () => {
  // Promises as arguments: closest to `join!(fetch_user(), fetch_posts())`.
  const [user, posts] = await join(fetchUser(), fetchPosts());
  console.log(`User: ${user}, Posts: ${JSON.stringify(posts)}`);

  // Thunks as arguments: join starts them. All three run concurrently: ~40 ms, not 90.
  const start = Instant.now();
  const [users, orders, inventory] = await join(fetchUsers, fetchOrders, fetchInventory);
  const ms = Math.round(Instant.now() - start);
  console.log(`Users: ${users.length}, Orders: ${orders.length}, Stock: ${inventory}`);
  console.log(`join took ${ms} ms (the branches sleep 40 + 30 + 20 ms)`);
});
