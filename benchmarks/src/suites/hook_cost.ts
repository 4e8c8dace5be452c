/**
 * The price of AsyncLocalStorage on this Node, measured without skein: the spawn_many
 * baseline's loop in two fresh processes, one with no AsyncLocalStorage and one with an
 * entered store. skein needs a store to follow a task across awaits, so the second figure
 * bounds what any spawn-and-await can reach here; the reference figure (a raw async
 * call at 5.5 M/s) is the first.
 */
import { fileURLToPath } from 'node:url';
import { childJson } from '../child.js';
import { fmt } from '../harness.js';
import type { Note } from '../report.js';

function probe(mode: 'plain' | 'als'): number {
  const script = fileURLToPath(new URL('../probes/raw_async.mjs', import.meta.url));
  return childJson<{ opsPerSec: number }>([script, mode]).opsPerSec;
}

/** Raw async-call throughput with and without an entered AsyncLocalStorage. */
export function hookCostNotes(log: (line: string) => void): Note[] {
  const plain = probe('plain');
  const als = probe('als');
  log(`  raw async call: ${fmt(plain)}/s without AsyncLocalStorage, ${fmt(als)}/s with one entered`);
  return [{
    name: 'raw async call (the spawn_many baseline) in a fresh process, no skein',
    figure: `${fmt(plain)} calls/s without AsyncLocalStorage; ${fmt(als)} calls/s with one entered (${(als / plain).toFixed(2)}×)`,
  }];
}
