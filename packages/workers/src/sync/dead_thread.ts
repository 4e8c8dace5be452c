/**
 * What a dead thread held, given back (API.md: "A thread that dies releases what its tasks
 * held ... and logs it. Nothing waits forever on a dead thread").
 *
 * The main thread calls {@link releaseDeadThread} once a runtime worker or a blocking-pool
 * thread has exited (crashed, timed out idle, or at shutdown), with the thread's ledger
 * (`thread_ledger.ts`: what it owned) and every SharedArrayBuffer that may have crossed to
 * it (for workers the side channel keeps them all; for pool threads the pool keeps those
 * its jobs received, `crossed_primitives.ts`): a primitive that never crossed can't be
 * held by one thread and awaited by another. For each primitive, the permit core drops the dead thread's waiter nodes and
 * releases the permits its tasks held; a sharedMpsc channel drops the senders that lived
 * there and closes itself if its receiver did; the oneshot, watch and broadcast channels drop the
 * ends that lived there, as Rust drops them when their thread unwinds (a oneshot receiver
 * sees the channel closed, watch and broadcast receivers end once no sender is left). One
 * warning per primitive that had anything to give back.
 *
 * SharedBarrier has nothing to give back, by Tokio's rules: an arrival counts from the
 * moment it is made, and a waiter that goes away (a dropped `wait()` future, here a dead
 * thread) leaves it counted, so the generation completes with the next arrivals. A party
 * that died before arriving is, as in Tokio, simply missing: the barrier counts arrivals,
 * not parties.
 */
import { HandleKind } from './handle_codec.js';
import { Chan } from './mpsc_chan.js';
import { attachPrimitive, primitiveId, primitiveKind } from './primitive_buffer.js';
import { releaseBroadcastThread } from './shared_broadcast.js';
import { releaseOneshotThread } from './shared_oneshot.js';
import { releaseWatchThread } from './shared_watch.js';
import { NOTHING, type Owned, ThreadLedger } from './thread_ledger.js';

const NAMES: ReadonlyMap<number, string> = new Map([
  [HandleKind.semaphore, 'SharedSemaphore'],
  [HandleKind.mutex, 'SharedMutex'],
  [HandleKind.rwlock, 'SharedRwLock'],
  [HandleKind.notify, 'SharedNotify'],
  [HandleKind.onceCell, 'SharedOnceCell'],
]);

/** Channels whose ends are counted per thread; each says what it dropped, or undefined. */
const CHANNELS: ReadonlyMap<number, (sab: SharedArrayBuffer, tid: number, held: Owned) => string | undefined> = new Map(
  [
    [HandleKind.oneshotSender, releaseOneshotThread],
    [HandleKind.watchSender, releaseWatchThread],
    [HandleKind.broadcastSender, releaseBroadcastThread],
  ],
);

/** Where the warnings go (a pino logger fits). */
export interface DeadThreadLogger {
  warn(obj: object, msg: string): void;
}

/**
 * Gives back what thread `tid` (a `threadId`), whose ledger segments are `ledger`, held in the
 * primitives among `sabs`; call it only once that thread has exited. `worker` is the
 * runtime worker's index, or `'blocking'` for a blocking-pool thread (as in
 * `WorkerCrashedError.worker`). Returns how many primitives had something.
 */
export function releaseDeadThread(
  tid: number,
  ledger: Iterable<SharedArrayBuffer>,
  sabs: Iterable<SharedArrayBuffer>,
  logger: DeadThreadLogger,
  worker: number | 'blocking',
): number {
  const owned = ThreadLedger.read(ledger);
  const who = worker === 'blocking' ? `blocking-pool thread ${tid}` : `worker ${worker}`;
  let touched = 0;
  for (const sab of sabs) {
    const kind = primitiveKind(sab);
    if (kind === undefined) continue;
    const held = owned.get(primitiveId(sab)) ?? NOTHING;
    if (kind === HandleKind.mpscSender) {
      const { senders, receiver } = new Chan(sab).releaseThread(tid, held);
      if (senders === 0 && !receiver) continue;
      touched++;
      logger.warn(
        { worker, threadId: tid, senders, receiver },
        `${who} died: dropped its ${senders} sharedMpsc sender(s)${receiver ? ' and closed the channel, whose receiver it held' : ''}`,
      );
      continue;
    }
    const channel = CHANNELS.get(kind);
    if (channel !== undefined) {
      const did = channel(sab, tid, held);
      if (did === undefined) continue;
      touched++;
      logger.warn({ worker, threadId: tid }, `${who} died: ${did}`);
      continue;
    }
    const name = NAMES.get(kind);
    if (name === undefined) continue;
    const { nodes, owned: permits } = attachPrimitive(sab, kind).core.releaseThread(tid, held);
    if (nodes === 0 && permits === 0) continue;
    touched++;
    logger.warn(
      { worker, threadId: tid, permits, waiters: nodes },
      `${who} died: released the ${permits} ${name} permit(s) its tasks held and dropped ${nodes} waiter(s) of its own`,
    );
  }
  return touched;
}
