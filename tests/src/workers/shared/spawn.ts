/**
 * Starts TypeScript fixtures on real worker threads and collects their single result
 * message. Fixtures post exactly one message (`{ ok: true, ... }` or `{ ok: false,
 * error }`) when they finish; the hot path inside them never uses postMessage.
 */
import { Worker } from 'node:worker_threads';

const LOADER = new URL('./fixtures/ts_worker.mjs', import.meta.url);

/** The message every fixture posts when it is done. */
export interface FixtureResult {
  ok: boolean;
  error?: string;
  [key: string]: unknown;
}

/** Starts `fixtures/<name>.ts` on a new worker thread with `data` as its workerData. */
export function startFixture(name: string, data: Record<string, unknown>): Worker {
  const entry = new URL(`./fixtures/${name}.ts`, import.meta.url).href;
  return new Worker(LOADER, { workerData: { ...data, entry } });
}

/** Resolves with the worker's result message once it has exited; rejects on error or a bad exit. */
export function resultOf(worker: Worker): Promise<FixtureResult> {
  return new Promise((resolve, reject) => {
    let result: FixtureResult | undefined;
    worker.on('message', (msg: FixtureResult) => {
      result = msg;
    });
    worker.once('error', reject);
    worker.once('exit', (code) => {
      if (result === undefined) reject(new Error(`worker exited with code ${code} before reporting`));
      else if (!result.ok) reject(new Error(`worker failed: ${result.error ?? 'unknown'}`));
      else resolve(result);
    });
  });
}

/** Starts one worker per entry of `data` on fixture `name` and waits for all results. */
export async function runFixtures(name: string, data: Record<string, unknown>[]): Promise<FixtureResult[]> {
  const workers = data.map((d) => startFixture(name, d));
  try {
    return await Promise.all(workers.map(resultOf));
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
}

/** Asserts every id in 1..n was seen exactly once; returns a description of the first failures. */
export function checkSeenOnce(seen: Uint8Array, n: number): string[] {
  const bad: string[] = [];
  if (seen[0] !== 0) bad.push(`id 0 seen ${seen[0]} times`);
  for (let id = 1; id <= n && bad.length < 10; id++) {
    if (seen[id] !== 1) bad.push(`id ${id} seen ${seen[id]} times`);
  }
  return bad;
}
