/**
 * `packages/workers/src/sync/byte_ring.ts` as step functions for the model checker, in
 * words instead of bytes: producers reserve by CAS on TAIL, write the body, publish the
 * length word, and ring the consumer's doorbell (RX) if it sleeps; a record that would
 * wrap leaves a SKIP word and starts at 0. A producer sizes its write against the HEAD it
 * last read and re-reads HEAD only when that leaves no room; one still short sets HEAD's
 * WAITER bit by a CAS from the HEAD it found (retrying if HEAD moved) and waits while HEAD
 * holds that. The consumer reads in order, zeroes what it read, publishes HEAD by an
 * exchange and notifies HEAD if the old value had the bit; when empty it stores SLEEPING,
 * re-checks and waits on RX. The HEAD word holds `2 * position + WAITER bit`. Checked:
 * every message arrives once, in order per producer, and neither doorbell loses a wake-up
 * (a lost one is a deadlock).
 *
 * `bug` injects a known mistake, so a test can show the checker catches it.
 */
import type { Memory, Program, Protocol } from './checker.js';

const TAIL = 0;
const HEAD = 1;
const RX = 2;
const DATA = 3;
const SLEEPING = 1;
const AWAKE = 0;
const SKIP = -1;

/** Mistakes a test may inject. */
export type RingBug =
  /** The consumer waits without re-checking the ring after announcing SLEEPING. */
  | 'noRecheck'
  /** The consumer doesn't zero what it read: a stale word looks like a published record. */
  | 'noZero'
  /** A producer short of room waits without flagging HEAD: nobody notifies it. */
  | 'noFlag';

interface ProducerLocal {
  sent: number;
  pc: number;
  tail: number;
  /** The HEAD position this producer last read: it sizes writes against it. */
  head: number;
  at: number;
  take: number;
  /** The HEAD word (flagged) it waits on. */
  seen: number;
  i: number;
}

interface ConsumerLocal {
  got: number[];
  pc: number;
  len: number;
  i: number;
  body: number[];
  /** The exchange that published HEAD found the WAITER bit. */
  wake: boolean;
}

function producer(
  id: number,
  count: number,
  body: number,
  size: number,
  bug: RingBug | undefined,
): Program<ProducerLocal> {
  const need = 1 + body;
  const value = (k: number, j: number): number => id * 1000 + k * 10 + j + 1;
  return {
    start: { sent: 0, pc: 0, tail: 0, head: 0, at: 0, take: 0, seen: 0, i: 0 },
    done: (l) => l.sent >= count,
    step(m: Memory, l: ProducerLocal, self: number): ProducerLocal {
      const w = m.w;
      switch (l.pc) {
        case 0: // tryWrite: load TAIL (a guess the CAS checks)
          l.tail = w[TAIL]!;
          l.pc = 2;
          return l;
        case 2: {
          // size the reservation against the cached HEAD (no shared access)
          const pos = l.tail % size;
          const toEnd = size - pos;
          l.take = toEnd >= need ? need : toEnd + need;
          l.pc = l.tail - l.head + l.take > size ? 20 : 3;
          return l;
        }
        case 20: {
          // short of room: read HEAD; unchanged means really full
          const head = w[HEAD]! >> 1;
          if (head === l.head) {
            l.pc = 21;
            return l;
          }
          l.head = head;
          l.pc = 0;
          return l;
        }
        case 21: {
          // announceSpaceWait: HEAD moved since → write again; flagged already → wait
          const h = w[HEAD]!;
          if (h >> 1 !== l.head) {
            l.pc = 0;
            return l;
          }
          l.seen = h;
          l.pc = (h & 1) !== 0 || bug === 'noFlag' ? 9 : 22;
          return l;
        }
        case 22: // flag HEAD by CAS from what was found
          if (m.cas(HEAD, l.seen, l.seen | 1) !== l.seen) {
            l.pc = 0;
            return l;
          }
          l.seen |= 1;
          l.pc = 9;
          return l;
        case 3: // CAS TAIL
          if (m.cas(TAIL, l.tail, l.tail + l.take) !== l.tail) {
            l.pc = 0;
            return l;
          }
          l.at = l.tail % size;
          l.i = 0;
          if (l.take !== need) {
            l.pc = 4;
            return l;
          }
          l.pc = 5;
          return l;
        case 4: // SKIP word, the record starts at 0
          w[DATA + l.at] = SKIP;
          l.at = 0;
          l.pc = 5;
          return l;
        case 5: // body, one word per step
          if (l.i < body) {
            w[DATA + l.at + 1 + l.i] = value(l.sent, l.i);
            l.i++;
            return l;
          }
          l.pc = 6;
          return l;
        case 6: // publish the length word
          w[DATA + l.at] = body + 1;
          l.pc = 7;
          return l;
        case 7: // ring if the consumer sleeps; next message
          if (w[RX] === SLEEPING && m.cas(RX, SLEEPING, AWAKE) === SLEEPING) m.notify(RX);
          l.sent++;
          l.pc = 0;
          return l;
        default: // spaceChanged(seen): sleep while HEAD holds it, then write again
          m.wait(self, HEAD, l.seen);
          l.pc = 0;
          return l;
      }
    },
  };
}

function consumer(total: number, size: number, bug: RingBug | undefined): Program<ConsumerLocal> {
  return {
    start: { got: [], pc: 0, len: 0, i: 0, body: [], wake: false },
    done: (l) => l.got.length >= total,
    step(m: Memory, l: ConsumerLocal, self: number): ConsumerLocal {
      const w = m.w;
      const head = w[HEAD]! >> 1; // the position is the consumer's own; producers only flag it
      const pos = head % size;
      switch (l.pc) {
        case 0: {
          // peek
          l.len = w[DATA + pos]!;
          if (l.len === 0) {
            l.pc = 10;
            return l;
          }
          if (l.len === SKIP) {
            l.pc = 5;
            return l;
          }
          l.i = 0;
          l.body = [];
          l.pc = 1;
          return l;
        }
        case 1: // read the body
          if (l.i < l.len - 1) {
            l.body.push(w[DATA + pos + 1 + l.i]!);
            l.i++;
            return l;
          }
          l.pc = 2;
          return l;
        case 2: // zero the record
          if (bug !== 'noZero') for (let i = 0; i < l.len; i++) w[DATA + pos + i] = 0;
          l.pc = 3;
          return l;
        case 3: // publish HEAD by exchange (clears the WAITER bit)
          l.wake = (m.xchg(HEAD, (head + l.len) * 2) & 1) !== 0;
          l.got.push(...l.body);
          l.pc = 4;
          return l;
        case 4: // notify HEAD if a producer had flagged it
          if (l.wake) m.notify(HEAD);
          l.pc = 0;
          return l;
        case 5: // skipped tail of the ring: zero it, move HEAD to 0's turn
          for (let i = pos; i < size; i++) w[DATA + i] = 0;
          l.wake = (m.xchg(HEAD, (head + (size - pos)) * 2) & 1) !== 0;
          l.pc = 4;
          return l;
        case 10: // empty: announce SLEEPING
          w[RX] = SLEEPING;
          l.pc = bug === 'noRecheck' ? 12 : 11;
          return l;
        case 11: // re-check
          if (w[DATA + pos] !== 0) {
            w[RX] = AWAKE;
            l.pc = 0;
            return l;
          }
          l.pc = 12;
          return l;
        // biome-ignore lint/suspicious/useDefaultSwitchClauseLast: the cases are the program counter's steps in order; default is step 12
        default: // wait on RX while SLEEPING, then look again
          m.wait(self, RX, SLEEPING);
          l.pc = 13;
          return l;
        case 13:
          w[RX] = AWAKE;
          l.pc = 0;
          return l;
      }
    },
  };
}

/** Options of {@link byteRingProtocol}. */
export interface ByteRingConfig {
  /** Ring size in words. */
  size: number;
  /** Messages per producer. */
  producers: readonly number[];
  /** Body words per record. */
  body: number;
  bug?: RingBug;
}

/** Every message arrives exactly once and in order per producer; no doorbell loses a wake-up. */
export function byteRingProtocol(cfg: ByteRingConfig): Protocol {
  const total = cfg.producers.reduce((a, b) => a + b, 0) * cfg.body;
  const threads = [
    consumer(total, cfg.size, cfg.bug),
    ...cfg.producers.map((n, i) => producer(i + 1, n, cfg.body, cfg.size, cfg.bug)),
  ] as Program<never>[];
  return {
    memory: [0, 0, AWAKE, ...new Array<number>(cfg.size).fill(0)],
    threads,
    final(_w, locals) {
      const got = (locals[0] as ConsumerLocal).got;
      const want: number[] = [];
      cfg.producers.forEach((n, p) => {
        for (let k = 0; k < n; k++) for (let j = 0; j < cfg.body; j++) want.push((p + 1) * 1000 + k * 10 + j + 1);
      });
      if ([...got].sort((a, b) => a - b).join() !== [...want].sort((a, b) => a - b).join())
        return `received [${got}] instead of [${want}]`;
      for (let p = 1; p <= cfg.producers.length; p++) {
        const mine = got.filter((v) => Math.floor(v / 1000) === p);
        if (mine.join() !== [...mine].sort((a, b) => a - b).join()) return `producer ${p} out of order: [${mine}]`;
      }
      return undefined;
    },
  };
}
