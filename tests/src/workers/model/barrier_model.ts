/**
 * `packages/workers/src/sync/shared_barrier.ts` as step functions for the model checker:
 * an arrival's critical section (read the generation, count the arrival; the n-th resets
 * the count and bumps the generation) as one step, since the futex lock makes it atomic
 * (its own hand-off is checked in permit_core_model.ts); then the leader notifies the
 * generation word after unlocking, and a follower waits on it while it still holds the
 * generation it read (`word_wait.ts`: wait only while the word holds what was read).
 *
 * Bookkeeping words count the arrivals each generation saw, so the checker can tell that
 * no generation takes more than `n` arrivals, that exactly one of them leads, and that a
 * follower leaves only once its generation is complete.
 *
 * `bug` injects a known mistake, so a test can show the checker catches it.
 */
import type { Memory, Program, Protocol } from './checker.js';

const LOCK_FREE_CS = 0; // unused word: the critical section is one step
const ARRIVED = 1;
const GEN = 2;
/** Then, per generation: arrivals seen, leaders seen. */
const BOOK = 3;

/** Mistakes a test may inject. */
export type BarrierBug =
  /** The leader bumps the generation after unlocking: a next-generation arrival reads the old one. */
  | 'genOutsideLock'
  /** The leader never notifies the generation word: followers sleep forever. */
  | 'noNotify';

interface Local {
  round: number;
  pc: number;
  gen: number;
}

export interface BarrierConfig {
  readonly n: number;
  readonly threads: number;
  readonly rounds: number;
  readonly bug?: BarrierBug;
}

export function barrierProtocol(cfg: BarrierConfig): Protocol {
  const { n, rounds, bug } = cfg;
  const gens = (cfg.threads * rounds) / n;
  const arrivals = (g: number): number => BOOK + 2 * g;
  const leaders = (g: number): number => BOOK + 2 * g + 1;
  const program: Program<Local> = {
    start: { round: 0, pc: 0, gen: 0 },
    done: (l) => l.round === rounds,
    step(mem: Memory, l: Local, self: number): Local {
      const w = mem.w;
      switch (l.pc) {
        case 0: {
          // lock; read GEN; count; unlock (one step)
          l.gen = w[GEN]!;
          w[arrivals(l.gen)]!++;
          if (w[ARRIVED]! + 1 >= n) {
            w[ARRIVED] = 0;
            w[leaders(l.gen)]!++;
            if (bug === 'genOutsideLock') l.pc = 3;
            else {
              w[GEN]!++;
              l.pc = 2;
            }
          } else {
            w[ARRIVED]!++;
            l.pc = 1;
          }
          return l;
        }
        case 1:
          // wordChanged(GEN, gen): sleeps only while GEN still holds gen; re-checks on wake.
          if (w[GEN] !== l.gen) {
            if (w[arrivals(l.gen)] !== n)
              throw new Error(`a follower of generation ${l.gen} left after ${w[arrivals(l.gen)]} of ${n} arrivals`);
            return { round: l.round + 1, pc: 0, gen: 0 };
          }
          mem.wait(self, GEN, l.gen);
          return l;
        case 2:
          if (bug !== 'noNotify') mem.notify(GEN);
          return { round: l.round + 1, pc: 0, gen: 0 };
        default:
          w[GEN]!++;
          l.pc = 2;
          return l;
      }
    },
  };
  return {
    memory: [LOCK_FREE_CS, 0, 0, ...Array.from({ length: 2 * gens + 2 }, () => 0)],
    threads: Array.from({ length: cfg.threads }, () => program as Program<never>),
    invariant(w) {
      for (let g = 0; g <= gens; g++) {
        if (w[arrivals(g)]! > n) return `generation ${g} took ${w[arrivals(g)]} arrivals, more than ${n}`;
        if (w[leaders(g)]! > 1) return `generation ${g} has ${w[leaders(g)]} leaders`;
      }
      return undefined;
    },
    final(w) {
      if (w[GEN] !== gens) return `${w[GEN]} generations completed, expected ${gens}`;
      for (let g = 0; g < gens; g++) if (w[leaders(g)] !== 1) return `generation ${g} has ${w[leaders(g)]} leaders`;
      return w[ARRIVED] === 0 ? undefined : `${w[ARRIVED]} arrivals left over`;
    },
  };
}
