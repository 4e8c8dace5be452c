/**
 * Blocking threads run at a lower OS priority than the event loop.
 *
 * The blocking pool exists so that CPU-heavy or blocking calls don't delay the main event
 * loop. Moving them to another thread is not enough on a small machine: with more busy
 * pool threads than cores, the kernel time-slices the main thread with them and timers
 * fire several milliseconds late (measured here: p99 event-loop delay 8 ms with four
 * 200 ms burners on two cores). Raising the pool threads' nice value lets the kernel
 * prefer the event loop whenever it has work, while the pool still gets every idle cycle.
 *
 * The price: a niced thread that wakes the main thread (every answer it posts does) is
 * preempted by it on a busy core, so a stream of tiny jobs on two cores runs 5–15% slower
 * than at nice 0 (bench `spawn_blocking` shape, interleaved rounds on a loaded box: e.g.
 * 0.69× vs 0.80× of raw piscina). Renicing only around each job would avoid that where the
 * process may lower a nice value again, but two `setpriority` calls per job cost more than
 * they saved (0.58× vs 0.70× for nice-once), so threads are niced once, at start.
 *
 * Linux applies `setpriority` to a single thread when given its thread id, which a thread
 * can read from `/proc/thread-self`. Elsewhere this does nothing.
 */
import { readlinkSync } from 'node:fs';
import { setPriority } from 'node:os';

/** Default niceness of blocking-pool threads (0 = same as the main thread, 19 = lowest). */
export const DEFAULT_BLOCKING_NICE = 10;

/** Lower the calling thread's priority by `nice`. Returns whether it took effect. */
export function lowerThreadPriority(nice: number): boolean {
  if (process.platform !== 'linux' || nice <= 0) return false;
  try {
    const tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
    if (!Number.isInteger(tid) || tid <= 0) return false;
    setPriority(tid, Math.min(19, nice));
    return true;
  } catch {
    return false;
  }
}
