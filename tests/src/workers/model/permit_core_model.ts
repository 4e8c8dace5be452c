/**
 * `packages/workers/src/sync/permit_core.ts` + `shared_wait.ts` as step functions for the
 * model checker: the futex lock of `shared/spin_lock.ts` step by step (CAS, exchange, wait,
 * sub, notify), each critical section as one step (the lock is what makes it atomic, and
 * the model checks that no two threads are ever inside), and the waiter's doorbell
 * protocol on the node STATE word (wait while WAITING; the releaser notifies after
 * unlocking). Permits 1 and a slab of one node with three threads cover the hand-off, the
 * queue, a cancel racing a grant, and the full-slab retry on SLAB_GEN.
 *
 * `bug` injects a known mistake, so a test can show the checker catches it.
 */
import type { Memory, Program, Protocol } from './checker.js';

const LOCK = 0;
const PERMITS = 1;
const HEAD = 2;
const TAIL = 3;
const FREE = 4;
const GEN = 5;
const NODES = 6;
const NW = 5; // STATE, REQ, REM, NEXT, PREV
const S = 0;
const REQ = 1;
const REM = 2;
const NEXT = 3;
const PREV = 4;

const WAITING = 0;
const GRANTED = 1;
const FREE_STATE = 3;

const TAKEN = -1;
const FULL = -3;

/** Mistakes a test may inject. */
export type CoreBug =
  /** The releaser writes GRANTED but never notifies the node: the waiter sleeps through it. */
  | 'noNotify'
  /** A cancelled waiter forgets the permits assigned to it while it was queued. */
  | 'cancelKeepsAssigned'
  /** The only waiter doesn't look at PERMITS again after linking (misses a racing lock-free release). */
  | 'noRecheck';

/** What one simulated thread does, in order: acquire `n` permits, then release them or cancel the wait. */
export type CoreOp = readonly ['acquireRelease' | 'acquireCancel', number];

interface Local {
  op: number;
  pc: number;
  n: number;
  /** Where to go once the lock is held / released. */
  after: number;
  node: number;
  gen: number;
  inCs: boolean;
  holding: number;
  took: number;
  onlyWaiter: boolean;
  notify: number[];
}

const at = (node: number): number => NODES + node * NW;

function unlink(w: number[], node: number): void {
  const a = at(node);
  const prev = w[a + PREV]!;
  const next = w[a + NEXT]!;
  if (prev === -1) w[HEAD] = next;
  else w[at(prev) + NEXT] = next;
  if (next === -1) w[TAIL] = prev;
  else w[at(next) + PREV] = prev;
  w[a + PREV] = -1;
  w[a + NEXT] = -1;
}

function takeUpTo(w: number[], n: number): number {
  const k = Math.min(w[PERMITS]!, n);
  w[PERMITS] = w[PERMITS]! - k;
  return k;
}

function free(w: number[], node: number): void {
  const a = at(node);
  w[a + S] = FREE_STATE;
  w[a + NEXT] = w[FREE]!;
  w[FREE] = node;
  w[GEN] = w[GEN]! + 1;
}

/** `#release` under the lock; returns the nodes to notify after unlocking. */
function release(w: number[], n: number, bug: CoreBug | undefined): number[] {
  const granted: number[] = [];
  while (n > 0) {
    const node = w[HEAD]!;
    if (node === -1) break;
    const a = at(node);
    const rem = w[a + REM]!;
    if (rem > n) {
      w[a + REM] = rem - n;
      return granted;
    }
    n -= rem;
    w[a + REM] = 0;
    unlink(w, node);
    w[a + S] = GRANTED;
    if (bug !== 'noNotify') granted.push(node);
  }
  w[PERMITS] = w[PERMITS]! + n;
  return granted;
}

// Program counters.
const LOCK_CAS = 0;
const LOCK_XCHG = 1;
const LOCK_WAIT = 2;
const LOCK_RETRY = 3;
const UNLOCK = 4;
const UNLOCK_NOTIFY = 5;
const NOTIFY_NODES = 6;
const CS_ACQUIRE = 10;
const AFTER_ACQUIRE = 11;
const WAIT_NODE = 12;
const CS_FINISH = 13;
const WAIT_SLAB = 14;
const CS_RELEASE = 15;
const CS_CANCEL = 16;
const DONE_OP = 17;
const HOLD = 18;
const CS_LINK = 19;
const CS_RECHECK = 20;
const FAST_ADD = 21;
const FAST_RECHECK = 22;
const CS_TRANSFER = 23;

function program(ops: readonly CoreOp[], bug: CoreBug | undefined): Program<Local> {
  const lockThen = (l: Local, after: number): Local => {
    l.after = after;
    l.pc = LOCK_CAS;
    return l;
  };
  const unlockThen = (l: Local, after: number): Local => {
    l.inCs = false;
    l.after = after;
    l.pc = UNLOCK;
    return l;
  };
  return {
    start: {
      op: 0,
      pc: LOCK_CAS,
      n: ops[0]?.[1] ?? 0,
      after: CS_ACQUIRE,
      node: -1,
      gen: 0,
      inCs: false,
      holding: 0,
      took: 0,
      onlyWaiter: false,
      notify: [],
    },
    done: (l) => l.op >= ops.length,
    step(m: Memory, l: Local, self: number): Local {
      const w = m.w;
      switch (l.pc) {
        // spin_lock.ts `lock` (its spin is only repeated loads, which add no new states).
        case LOCK_CAS:
          if (m.cas(LOCK, 0, 1) === 0) {
            l.pc = l.after;
            l.inCs = true;
          } else l.pc = LOCK_XCHG;
          return l;
        case LOCK_XCHG:
          if (m.xchg(LOCK, 2) === 0) {
            l.pc = l.after;
            l.inCs = true;
          } else l.pc = LOCK_WAIT;
          return l;
        case LOCK_WAIT:
          m.wait(self, LOCK, 2);
          l.pc = LOCK_RETRY;
          return l;
        case LOCK_RETRY:
          if (m.xchg(LOCK, 2) === 0) {
            l.pc = l.after;
            l.inCs = true;
          } else l.pc = LOCK_WAIT;
          return l;
        // spin_lock.ts `unlock`
        case UNLOCK:
          l.pc = m.add(LOCK, -1) !== 1 ? UNLOCK_NOTIFY : NOTIFY_NODES;
          return l;
        case UNLOCK_NOTIFY:
          w[LOCK] = 0;
          m.notify(LOCK, 1);
          l.pc = NOTIFY_NODES;
          return l;
        case NOTIFY_NODES: // #wakeGranted, one notify per step
          if (l.notify.length > 0) {
            m.notify(at(l.notify.shift()!) + S);
            return l;
          }
          l.pc = l.after;
          return l;
        // permit_core.ts `acquire(n)`, under the lock, one step per access that the
        // lock-free release path can observe or race with (PERMITS, HEAD).
        case CS_ACQUIRE: {
          l.took = takeUpTo(w, l.n);
          if (l.took === l.n) {
            l.node = TAKEN;
            return unlockThen(l, AFTER_ACQUIRE);
          }
          if (w[FREE] === -1) {
            l.gen = w[GEN]!;
            l.node = FULL;
            l.notify = release(w, l.took, bug);
            return unlockThen(l, AFTER_ACQUIRE);
          }
          const node = w[FREE]!;
          const a = at(node);
          w[FREE] = w[a + NEXT]!;
          w[a + REQ] = l.n;
          w[a + NEXT] = -1;
          l.node = node;
          l.pc = CS_LINK;
          return l;
        }
        case CS_LINK: {
          // the HEAD store the lock-free release reads
          const a = at(l.node);
          const tail = w[TAIL]!;
          w[a + PREV] = tail;
          if (tail === -1) w[HEAD] = l.node;
          else w[at(tail) + NEXT] = l.node;
          w[TAIL] = l.node;
          l.onlyWaiter = tail === -1;
          l.pc = CS_RECHECK;
          return l;
        }
        case CS_RECHECK: {
          // Dekker: as the only waiter, take what a racing release left
          const a = at(l.node);
          const remaining =
            l.onlyWaiter && bug !== 'noRecheck' ? l.n - l.took - takeUpTo(w, l.n - l.took) : l.n - l.took;
          if (remaining === 0) {
            unlink(w, l.node);
            free(w, l.node);
            l.node = TAKEN;
          } else {
            w[a + REM] = remaining;
            w[a + S] = WAITING;
          }
          return unlockThen(l, AFTER_ACQUIRE);
        }
        case AFTER_ACQUIRE:
          if (l.node === TAKEN) {
            l.holding = l.n;
            l.pc = HOLD;
            return l;
          }
          if (l.node === FULL) {
            l.pc = WAIT_SLAB;
            return l;
          }
          if (ops[l.op]![0] === 'acquireCancel') return lockThen(l, CS_CANCEL);
          l.pc = WAIT_NODE;
          return l;
        case WAIT_SLAB: // slabChanged(fullGeneration), then retry
          if (!m.wait(self, GEN, l.gen)) return lockThen(l, CS_ACQUIRE);
          return l; // woken: look again at the next step
        case WAIT_NODE: // changed(node) / waitSync: wait while WAITING
          if (!m.wait(self, at(l.node) + S, WAITING)) {
            l.holding = w[at(l.node) + S] === GRANTED ? l.n : 0;
            return lockThen(l, CS_FINISH);
          }
          return l;
        case CS_FINISH:
          free(w, l.node);
          l.node = -1;
          // notify SLAB_GEN after unlocking is folded into the release that follows.
          m.notify(GEN);
          return unlockThen(l, l.holding > 0 ? HOLD : DONE_OP);
        case HOLD: // the task holds its permits, then releases them: lock-free if nobody waits
          if (w[HEAD] !== -1) return lockThen(l, CS_RELEASE);
          l.pc = FAST_ADD;
          return l;
        case FAST_ADD:
          w[PERMITS] = w[PERMITS]! + l.holding;
          l.holding = 0;
          l.pc = FAST_RECHECK;
          return l;
        case FAST_RECHECK: // someone queued meanwhile? hand them what is free, under the lock
          if (w[HEAD] === -1) {
            l.pc = DONE_OP;
            return l;
          }
          return lockThen(l, CS_TRANSFER);
        case CS_TRANSFER:
          l.notify = release(w, takeUpTo(w, 1 << 29), bug);
          return unlockThen(l, DONE_OP);
        case CS_RELEASE:
          l.notify = release(w, l.holding, bug);
          l.holding = 0;
          return unlockThen(l, DONE_OP);
        case CS_CANCEL: {
          // permit_core.ts `cancel(node)`
          const a = at(l.node);
          const state = w[a + S]!;
          let giveBack = 0;
          if (state === WAITING) {
            unlink(w, l.node);
            giveBack = bug === 'cancelKeepsAssigned' ? 0 : w[a + REQ]! - w[a + REM]!;
          } else if (state === GRANTED) {
            giveBack = w[a + REQ]!;
          }
          free(w, l.node);
          m.notify(GEN);
          l.notify = release(w, giveBack, bug);
          l.node = -1;
          return unlockThen(l, DONE_OP);
        }
        case DONE_OP:
          l.op++;
          l.n = ops[l.op]?.[1] ?? 0;
          l.pc = LOCK_CAS;
          l.after = CS_ACQUIRE;
          return l;
        default:
          throw new Error(`bad pc ${l.pc}`);
      }
    },
  };
}

/** Options of {@link permitCoreProtocol}. */
export interface PermitCoreConfig {
  permits: number;
  nodes: number;
  threads: readonly (readonly CoreOp[])[];
  bug?: CoreBug;
}

/** At most `permits` holders, one thread in a critical section; at the end every permit and node is back. */
export function permitCoreProtocol(cfg: PermitCoreConfig): Protocol {
  const memory = [0, cfg.permits, -1, -1, 0, 0];
  for (let i = 0; i < cfg.nodes; i++) memory.push(FREE_STATE, 0, 0, i + 1 < cfg.nodes ? i + 1 : -1, -1);
  return {
    memory,
    threads: cfg.threads.map((ops) => program(ops, cfg.bug)) as Program<never>[],
    invariant(_w, locals) {
      const ls = locals as Local[];
      if (ls.filter((l) => l.inCs).length > 1) return 'two threads inside the lock';
      const held = ls.reduce((s, l) => s + l.holding, 0);
      return held > cfg.permits ? `${held} permits held, only ${cfg.permits} exist` : undefined;
    },
    final(w) {
      if (w[PERMITS] !== cfg.permits) return `${w[PERMITS]} permits free at the end, expected ${cfg.permits}`;
      if (w[HEAD] !== -1 || w[TAIL] !== -1) return 'waiters still queued';
      if (w[LOCK] !== 0) return 'lock word not released';
      let free = 0;
      for (let n = w[FREE]!; n !== -1; n = w[at(n) + NEXT]!) free++;
      return free === cfg.nodes ? undefined : `${cfg.nodes - free} nodes leaked`;
    },
  };
}
