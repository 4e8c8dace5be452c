/**
 * Mirrors "Real-World Pattern: Concurrent HTTP Requests with Rate Limiting" in the Tokio
 * guide (004): `fetch_all(urls, max_concurrent)` spawns a task per URL, and each task holds a
 * `Semaphore` permit around its `reqwest::get`, so at most `max_concurrent` requests are in
 * flight.
 *
 * Differs from Rust: no external network, so the URLs point at a local server
 * (@skein/net on port 0 of 127.0.0.1) that counts concurrent requests, and the client is Node's fetch
 * instead of reqwest. No `Arc::clone`: the tasks share the Semaphore object. The permit is
 * released by `using` at the end of the block, where Rust drops `_permit`. Result<String,
 * String> becomes a tagged object, since a JoinHandle's error is the task's own throw.
 */
import { Semaphore, main, sleep, spawn, type JoinHandle } from '@skein/core';
import { Router, serve } from '@skein/net';

type FetchResult = { ok: true; status: string } | { ok: false; error: string };

async function fetchAll(urls: string[], maxConcurrent: number): Promise<FetchResult[]> {
  const semaphore = new Semaphore(maxConcurrent);
  const handles: JoinHandle<FetchResult>[] = [];
  for (const url of urls) {
    handles.push(
      spawn(async (): Promise<FetchResult> => {
        // Acquire a permit before making the request; released when the block exits.
        using _permit = await semaphore.acquire();
        try {
          const r = await fetch(url);
          await r.arrayBuffer(); // drain the body so the connection can be reused
          return { ok: true, status: `${r.status} ${r.statusText}` };
        } catch (e) {
          return { ok: false, error: String(e) };
        }
      }),
    );
  }
  const results: FetchResult[] = [];
  for (const handle of handles) results.push(await handle);
  return results;
}

await main(async () => {
  // A stand-in for the remote servers: every request takes 10 ms, and the server records
  // the most requests it ever saw at once.
  let active = 0;
  let peak = 0;
  const pages = new Router().get('/page/{n}', async (req) => {
    active++;
    peak = Math.max(peak, active);
    await sleep(10);
    active--;
    return `hello from ${new URL(req.url).pathname}`;
  });
  const server = await serve('127.0.0.1:0', pages);
  const base = server.url;

  try {
    const urls = Array.from({ length: 12 }, (_, i) => `${base}/page/${i}`);
    const results = await fetchAll(urls, 3);
    const ok = results.filter((r) => r.ok).length;
    console.log(`fetched ${results.length} urls, ${ok} ok: ${JSON.stringify(results[0])}`);
    console.log(`max concurrent requests seen by the server: ${peak} (limit 3)`);
  } finally {
    await server.shutdown();
  }
});
