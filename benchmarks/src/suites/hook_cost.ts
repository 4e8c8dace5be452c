/**
 * The price of carrying a task context on this Node: the spawn_many baseline's loop in
 * fresh processes with no context, with an entered AsyncLocalStorage, and with skein's own
 * frame store entered (its promise hooks on Node 20). skein needs a carrier to follow a
 * task across awaits, so the last figure bounds what any spawn-and-await can reach here;
 * the reference figure (a raw async call at 5.5 M/s) is the first.
 */
import { fileURLToPath } from 'node:url';
import { childJson } from '../child.js';
import { fmt } from '../harness.js';
import type { Note } from '../report.js';

function probe(mode: 'plain' | 'als' | 'skein'): number {
  const script = fileURLToPath(new URL('../probes/raw_async.mjs', import.meta.url));
  return childJson<{ opsPerSec: number }>([script, mode]).opsPerSec;
}

/** Raw async-call throughput with no context, AsyncLocalStorage, and skein's carrier. */
export function hookCostNotes(log: (line: string) => void): Note[] {
  const plain = probe('plain');
  const als = probe('als');
  const skein = probe('skein');
  log(
    `  raw async call: ${fmt(plain)}/s with no context, ${fmt(als)}/s with AsyncLocalStorage entered, ${fmt(skein)}/s with skein's frame store entered`,
  );
  return [
    {
      name: 'raw async call (the spawn_many baseline) in a fresh process, no runtime',
      figure: `${fmt(plain)} calls/s with no context; ${fmt(als)} calls/s with AsyncLocalStorage entered (${(als / plain).toFixed(2)}×); ${fmt(skein)} calls/s with skein's frame store entered (${(skein / plain).toFixed(2)}×)`,
    },
  ];
}
