/**
 * A small explicit-state model checker, in the spirit of loom for Tokio's queues: it runs
 * every interleaving of N simulated threads over a protocol written as step functions and
 * reports the first schedule that breaks an invariant, deadlocks or ends in a bad state.
 *
 * A protocol is shared memory (an array of int32 words) plus one program per thread. A
 * program is a state machine over a plain-data local state; `step` performs exactly one
 * shared-memory access (a load, a store, a CAS, a wait, a notify) and returns the next
 * local state. Because JS Atomics are sequentially consistent, interleaving those steps is
 * exactly the set of executions real threads can produce, so exploring every reachable
 * (memory, locals) state, deduplicated, covers every interleaving.
 *
 * `Atomics.wait` is modelled faithfully: `wait(word, expected)` sleeps only if the word
 * still holds `expected` (checked and slept atomically), and a sleeping thread runs again
 * only after a `notify` on that word. A lost wake-up therefore shows up as a deadlock.
 */

/** What a thread's step sees: the shared words and the futex sleepers. */
export class Memory {
  constructor(
    /** The shared int32 words. */
    readonly w: number[],
    /** Per thread: the word it sleeps on in `wait`, or -1. */
    readonly sleeping: number[],
  ) {}

  /** `Atomics.compareExchange`. */
  cas(i: number, expected: number, next: number): number {
    const cur = this.w[i]!;
    if (cur === expected) this.w[i] = next | 0;
    return cur;
  }

  /** `Atomics.exchange`. */
  xchg(i: number, next: number): number {
    const cur = this.w[i]!;
    this.w[i] = next | 0;
    return cur;
  }

  /** `Atomics.add`; returns the old value. */
  add(i: number, d: number): number {
    const cur = this.w[i]!;
    this.w[i] = (cur + d) | 0;
    return cur;
  }

  /** `Atomics.wait` by `thread`: true if it went to sleep (the word held `expected`). */
  wait(thread: number, i: number, expected: number): boolean {
    if (this.w[i] !== expected) return false;
    this.sleeping[thread] = i;
    return true;
  }

  /** `Atomics.notify(word, count)`: wakes up to `count` sleepers of word `i`; returns how many. */
  notify(i: number, count = Infinity): number {
    let n = 0;
    for (let t = 0; t < this.sleeping.length && n < count; t++) {
      if (this.sleeping[t] === i) {
        this.sleeping[t] = -1;
        n++;
      }
    }
    return n;
  }
}

/** One simulated thread: a state machine over a plain-data local state `L`. */
export interface Program<L> {
  /** The local state the thread starts in. */
  readonly start: L;
  /** True once the thread has finished. */
  done(local: L): boolean;
  /**
   * Performs one shared-memory access for thread `self` and returns the next local state.
   * It may mutate `mem` and `local` (both are private copies).
   */
  step(mem: Memory, local: L, self: number): L;
}

/** A protocol to check. */
export interface Protocol {
  /** Initial shared words. */
  readonly memory: readonly number[];
  /** One program per simulated thread. */
  readonly threads: readonly Program<never>[];
  /** Checked in every reachable state; returns a message when violated. */
  invariant?(w: readonly number[], locals: readonly unknown[]): string | undefined;
  /** Checked once every thread is done; returns a message when the end state is wrong. */
  final?(w: readonly number[], locals: readonly unknown[]): string | undefined;
}

/** The outcome of {@link explore}. */
export interface Report {
  /** Distinct states visited. */
  states: number;
  /** Distinct end states (every thread done). */
  endStates: number;
  /** The first problem found, with the schedule (thread per step) that leads to it. */
  violation?: { message: string; schedule: number[] };
}

interface Node {
  w: number[];
  sleeping: number[];
  locals: unknown[];
  schedule: number[];
}

const key = (n: Node): string => JSON.stringify([n.w, n.sleeping, n.locals]);
/** Locals are plain data; a JSON round trip copies them faster than structuredClone. */
const clone = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;

/**
 * Explores every reachable state of `protocol` depth-first. Stops at the first violation,
 * or throws if more than `maxStates` states are reachable (the configuration is too big).
 */
export function explore(protocol: Protocol, maxStates = 2_000_000): Report {
  const threads = protocol.threads as readonly Program<unknown>[];
  const first: Node = {
    w: [...protocol.memory],
    sleeping: threads.map(() => -1),
    locals: threads.map((t) => clone(t.start)),
    schedule: [],
  };
  const seen = new Set<string>([key(first)]);
  const stack: Node[] = [first];
  let endStates = 0;
  const fail = (message: string, schedule: number[]): Report => ({
    states: seen.size,
    endStates,
    violation: { message, schedule },
  });
  while (stack.length > 0) {
    const node = stack.pop()!;
    const bad = protocol.invariant?.(node.w, node.locals);
    if (bad !== undefined) return fail(`invariant: ${bad}`, node.schedule);
    let runnable = 0;
    let finished = 0;
    for (let t = 0; t < threads.length; t++) {
      if (threads[t]!.done(node.locals[t])) {
        finished++;
        continue;
      }
      if (node.sleeping[t] !== -1) continue;
      runnable++;
      const mem = new Memory([...node.w], [...node.sleeping]);
      const locals = [...node.locals];
      let next: unknown;
      try {
        next = threads[t]!.step(mem, clone(node.locals[t]), t);
      } catch (err) {
        return fail(`thread ${t} threw: ${(err as Error).message}`, [...node.schedule, t]);
      }
      locals[t] = next;
      const child: Node = { w: mem.w, sleeping: mem.sleeping, locals, schedule: [...node.schedule, t] };
      const k = key(child);
      if (seen.has(k)) continue;
      seen.add(k);
      if (seen.size > maxStates) throw new Error(`more than ${maxStates} states: make the configuration smaller`);
      stack.push(child);
    }
    if (finished === threads.length) {
      endStates++;
      const end = protocol.final?.(node.w, node.locals);
      if (end !== undefined) return fail(`end state: ${end}`, node.schedule);
    } else if (runnable === 0) {
      const asleep = node.sleeping
        .map((s, t) => (s === -1 ? '' : `thread ${t} on word ${s}`))
        .filter(Boolean)
        .join(', ');
      return fail(`deadlock: nobody can run (${asleep || 'no sleepers'}): a lost wake-up`, node.schedule);
    }
  }
  return { states: seen.size, endStates };
}
