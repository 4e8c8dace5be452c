/**
 * `packages/workers/src/shared/local_queue.ts` as step functions, for the model checker:
 * the same words (`head` packing (steal, real) as 16-bit halves, owner-only `tail`, the
 * ring), the same loads, stores and CASes in the same order, with the capacity a parameter
 * so every interleaving of a small ring can be explored. One step is one shared access;
 * accesses to words nobody else may touch at that moment (the owner reading its own tail,
 * copying slots a CAS has just claimed) are folded into the step before them.
 *
 * `bug` injects a known mistake, so a test can show the checker catches it.
 */
import type { Memory, Program, Protocol } from './checker.js';

const U16 = 0xffff;
const HEAD = 0;
const TAIL = 1;
const BUF = 2;

const pack = (steal: number, real: number): number => (steal << 16) | real | 0;
const stealOf = (head: number): number => head >>> 16;
const realOf = (head: number): number => head & U16;

/** An owner operation: push the id, or pop. */
export type OwnerOp = number | 'pop';

/** Mistakes a test may inject to check that the checker finds them. */
export type QueueBug =
  /** The owner counts free space from `real` instead of `steal`, reusing slots a thief is still copying. */
  | 'freeFromReal'
  /** A thief publishes its finished copy with a plain store of its stale head, undoing the owner's pops. */
  | 'plainStoreRelease';

interface OwnerLocal {
  op: number;
  pc: number;
  head: number;
  tail: number;
  popped: number[];
  sunk: number[];
}

interface ThiefLocal {
  round: number;
  pc: number;
  prev: number;
  next: number;
  n: number;
  i: number;
  stolen: number[];
}

function owner(ops: readonly OwnerOp[], cap: number, bug: QueueBug | undefined): Program<OwnerLocal> {
  const mask = cap - 1;
  const half = cap / 2;
  const next = (l: OwnerLocal): OwnerLocal => {
    l.op++;
    l.pc = 0;
    return l;
  };
  return {
    start: { op: 0, pc: 0, head: 0, tail: 0, popped: [], sunk: [] },
    done: (l) => l.op >= ops.length,
    step(m: Memory, l: OwnerLocal): OwnerLocal {
      const op = ops[l.op]!;
      const w = m.w;
      if (op === 'pop') {
        switch (l.pc) {
          case 0: // head = Atomics.load(HEAD); compare with our own tail
            l.head = w[HEAD]!;
            if (realOf(l.head) === w[TAIL]) return next(l); // empty
            l.pc = 1;
            return l;
          case 1: {
            // CAS(head, next)
            const steal = stealOf(l.head);
            const real = realOf(l.head);
            const nr = (real + 1) & U16;
            const nh = steal === real ? pack(nr, nr) : pack(steal, nr);
            const actual = m.cas(HEAD, l.head, nh);
            if (actual !== l.head) {
              l.head = actual;
              if (realOf(actual) === w[TAIL]) return next(l);
              return l;
            }
            l.tail = real; // remember the claimed index
            l.pc = 2;
            return l;
          }
          default: // read the claimed slot
            l.popped.push(w[BUF + (l.tail & mask)]!);
            return next(l);
        }
      }
      const id = op;
      switch (l.pc) {
        case 0: {
          // head = Atomics.load(HEAD); tail is ours
          l.head = w[HEAD]!;
          l.tail = w[TAIL]!;
          const base = bug === 'freeFromReal' ? realOf(l.head) : stealOf(l.head);
          if (((l.tail - base) & U16) < cap) l.pc = 1;
          else if (stealOf(l.head) !== realOf(l.head)) {
            l.sunk.push(id); // a thief is copying: spill just this one
            return next(l);
          } else l.pc = 3;
          return l;
        }
        case 1: // write the slot (not yet visible: tail isn't published)
          w[BUF + (l.tail & mask)] = id;
          l.pc = 2;
          return l;
        case 2: // publish tail
          w[TAIL] = (l.tail + 1) & U16;
          return next(l);
        default: {
          // overflow: claim half with a CAS, then move it and `id` to the sink
          const real = realOf(l.head);
          const prev = pack(real, real);
          const nh = (real + half) & U16;
          if (m.cas(HEAD, prev, pack(nh, nh)) !== prev) {
            l.pc = 0; // a thief started meanwhile: look again
            return l;
          }
          for (let i = 0; i < half; i++) l.sunk.push(w[BUF + ((real + i) & mask)]!);
          l.sunk.push(id);
          return next(l);
        }
      }
    },
  };
}

function thief(rounds: number, cap: number, bug: QueueBug | undefined): Program<ThiefLocal> {
  const mask = cap - 1;
  const half = cap / 2;
  const finish = (l: ThiefLocal): ThiefLocal => {
    l.round++;
    l.pc = 0;
    return l;
  };
  return {
    start: { round: 0, pc: 0, prev: 0, next: 0, n: 0, i: 0, stolen: [] },
    done: (l) => l.round >= rounds,
    step(m: Memory, l: ThiefLocal): ThiefLocal {
      const w = m.w;
      switch (l.pc) {
        case 0: // prev = Atomics.load(HEAD)
          l.prev = w[HEAD]!;
          l.pc = 1;
          return l;
        case 1: {
          // another thief active? else load tail and size the steal
          const steal = stealOf(l.prev);
          const real = realOf(l.prev);
          if (steal !== real) return finish(l);
          const avail = (w[TAIL]! - real) & U16;
          let n = avail - (avail >>> 1);
          if (n === 0) return finish(l);
          if (n > half) n = half;
          l.n = n;
          l.next = pack(steal, (real + n) & U16);
          l.pc = 2;
          return l;
        }
        case 2: {
          // claim with a CAS
          const actual = m.cas(HEAD, l.prev, l.next);
          if (actual !== l.prev) {
            l.prev = actual;
            l.pc = 1;
            return l;
          }
          l.i = 0;
          l.pc = 3;
          return l;
        }
        case 3: {
          // copy one slot per step: the owner runs meanwhile
          const first = stealOf(l.next);
          l.stolen.push(w[BUF + ((first + l.i) & mask)]!);
          if (++l.i === l.n) {
            l.prev = l.next;
            l.pc = 4;
          }
          return l;
        }
        default: {
          // release: move `steal` up to `real`
          const real = realOf(l.prev);
          if (bug === 'plainStoreRelease') {
            w[HEAD] = pack(real, real);
            return finish(l);
          }
          const actual = m.cas(HEAD, l.prev, pack(real, real));
          if (actual === l.prev) return finish(l);
          l.prev = actual; // the owner popped meanwhile; keep its `real`
          return l;
        }
      }
    },
  };
}

/** Options of {@link localQueueProtocol}. */
export interface LocalQueueConfig {
  /** Ring slots, a power of two (the real queue has 256). */
  capacity: number;
  /** What the owner does, in order: push an id (positive, distinct) or pop. */
  owner: readonly OwnerOp[];
  /** Steal attempts of each thief thread. */
  thieves: readonly number[];
  bug?: QueueBug;
}

/** Every id pushed comes out exactly once: popped, stolen, spilled, or still queued at the end. */
export function localQueueProtocol(cfg: LocalQueueConfig): Protocol {
  const { capacity: cap, bug } = cfg;
  const pushed = cfg.owner.filter((o): o is number => o !== 'pop');
  const threads = [owner(cfg.owner, cap, bug), ...cfg.thieves.map((r) => thief(r, cap, bug))] as Program<never>[];
  return {
    memory: [0, 0, ...new Array<number>(cap).fill(0)],
    threads,
    invariant(w) {
      const used = (w[TAIL]! - stealOf(w[HEAD]!)) & U16;
      return used > cap ? `owner overfilled the ring: tail - steal = ${used} > ${cap}` : undefined;
    },
    final(w, locals) {
      const o = locals[0] as OwnerLocal;
      const out = [...o.popped, ...o.sunk];
      for (const t of locals.slice(1) as ThiefLocal[]) out.push(...t.stolen);
      for (let i = realOf(w[HEAD]!); i !== w[TAIL]; i = (i + 1) & U16) out.push(w[BUF + (i & (cap - 1))]!);
      const sorted = [...out].sort((a, b) => a - b).join(',');
      const want = [...pushed].sort((a, b) => a - b).join(',');
      return sorted === want ? undefined : `ids out [${sorted}] differ from ids in [${want}]`;
    },
  };
}
