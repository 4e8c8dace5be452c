/**
 * Recovering from a dead worker thread.
 *
 * Tokio's workers can't die without taking the process down; Node worker threads can (an
 * uncaught error outside a task, `process.exit()` in a task, out-of-memory under
 * `resourceLimits`). DESIGN.md: nothing is lost silently. Once the thread has exited (so
 * nothing it owned changes any more), the main thread:
 * 1. moves its queued tasks (LIFO slot and local deque; any thread may pop a dead owner's
 *    deque) to the inject queue, where other workers run them;
 * 2. fails each task it was running: the slot gets a panic result whose cause is a
 *    WorkerCrashedError, and goes to its spawner's mailbox like any completion;
 * 3. repairs the shared idle accounting (it may have died searching or parked) and resets
 *    its park word, so the replacement starts as a fresh, unparked, non-searching worker;
 * 4. wakes a parked worker for the requeued work.
 * The replacement inherits the same index: queue, parker, mailbox and slot partition
 * (slots still in flight come back through its mailbox and are freed there).
 */
import { encodeThrown } from '../codec/error_codec.js';
import type { PayloadCodec } from '../codec/payload.js';
import { M_FINISHED, T_LIFO, T_SEARCHING, type SharedState } from '../scheduler/shared_state.js';
import {
  DONE,
  QUEUED,
  RUNNING,
  SLOT_WORDS,
  S_OWNER,
  S_SPAWNER,
  S_STATE,
  S_STATUS,
  S_TYPE,
  STATUS_PANIC,
} from '../scheduler/task_slots.js';
import type { WorkerCrashedError } from './errors.js';

/** What recovery did, for the log. */
export interface RecoveryReport {
  readonly requeued: number;
  readonly failed: number;
}

/** The queued tasks worker `i` has claimed and not finished, for logs. */
export function runningTasks(sh: SharedState, i: number): { id: number; name: string }[] {
  const out: { id: number; name: string }[] = [];
  const w = sh.slots.i32;
  for (let s = 0; s < sh.slots.count; s++) {
    const b = s * SLOT_WORDS;
    if (Atomics.load(w, b + S_STATE) === RUNNING && Atomics.load(w, b + S_OWNER) === i) {
      out.push({ id: sh.slots.taskId(s), name: sh.types.get(w[b + S_TYPE]!).name });
    }
  }
  return out;
}

/** Clean up after worker `i`, whose thread has exited. Main thread only. */
export function recoverDeadWorker(
  sh: SharedState,
  i: number,
  cause: WorkerCrashedError,
  codec: PayloadCodec,
): RecoveryReport {
  const { inject, localQueues, idle, parkers } = sh.layout;
  let requeued = 0;
  const lifoIdx = sh.threadWord(i, T_LIFO);
  const lifo = sh.control[lifoIdx]!;
  sh.control[lifoIdx] = 0;
  if (lifo !== 0) {
    inject.push(lifo);
    requeued++;
  }
  const q = localQueues[i]!;
  for (let t = q.pop(); t !== 0; t = q.pop()) {
    inject.push(t);
    requeued++;
  }

  let failed = 0;
  const w = sh.slots.i32;
  const encoded = encodeThrown(cause);
  for (let s = 0; s < sh.slots.count; s++) {
    const b = s * SLOT_WORDS;
    if (Atomics.load(w, b + S_STATE) !== RUNNING || Atomics.load(w, b + S_OWNER) !== i) continue;
    const spawner = w[b + S_SPAWNER]!;
    codec.release(s); // arguments it may not have read yet
    codec.writeResult(s, encoded, spawner, 'a crash report');
    w[b + S_STATUS] = STATUS_PANIC;
    Atomics.store(w, b + S_STATE, DONE);
    sh.metrics[sh.metric(sh.mainThread, M_FINISHED)]!++;
    sh.mailboxes[spawner]!.push(s + 1);
    failed++;
  }

  // Idle counts the dead worker as unparked (it ran, or it is in the sleeper set: take it
  // out) and as searching if its searching word says so (set by itself, or by whoever
  // woke it: see SharedState.wakeOne). The replacement starts unparked and not searching.
  const searchIdx = sh.threadWord(i, T_SEARCHING);
  idle.unparkWorkerById(i);
  if (Atomics.exchange(sh.control, searchIdx, 0) !== 0) idle.transitionWorkerFromSearching();
  parkers[i]!.reset();
  if (requeued > 0) sh.wakeOne();
  return { requeued, failed };
}

/**
 * Shutdown, once every worker thread has exited: the tasks still queued (the inject queue,
 * the workers' LIFO slots and deques) never run, so the shared handles their arguments
 * carry are dropped here, as Tokio's shutdown drops the tasks it never polled (a receiver
 * waiting for them ends). Their handles settled when shutdown began. Main thread only.
 */
export function discardQueued(sh: SharedState, codec: PayloadCodec): void {
  const { inject, localQueues } = sh.layout;
  for (let ref = inject.pop(); ref !== 0; ref = inject.pop()) codec.discardArgs(ref - 1);
  for (let i = 0; i < sh.workers; i++) {
    const lifoIdx = sh.threadWord(i, T_LIFO);
    const lifo = sh.control[lifoIdx]!;
    sh.control[lifoIdx] = 0;
    if (lifo !== 0) codec.discardArgs(lifo - 1);
    const q = localQueues[i]!;
    for (let ref = q.pop(); ref !== 0; ref = q.pop()) codec.discardArgs(ref - 1);
  }
}

/**
 * No worker is left to run anything (each kept crashing the same way): fail every task in
 * the inject queue with `cause`, as a panic sent to its spawner like any completion, so no
 * JoinHandle waits forever and the process can exit. Main thread only.
 */
export function failQueued(sh: SharedState, cause: WorkerCrashedError, codec: PayloadCodec): void {
  const w = sh.slots.i32;
  const encoded = encodeThrown(cause);
  for (let ref = sh.layout.inject.pop(); ref !== 0; ref = sh.layout.inject.pop()) {
    const s = ref - 1;
    const b = s * SLOT_WORDS;
    const spawner = w[b + S_SPAWNER]!;
    // It never runs: the shared handles in its arguments are dropped here. A task aborted
    // while queued then only goes back to its spawner to be freed.
    codec.discardArgs(s);
    if (Atomics.compareExchange(w, b + S_STATE, QUEUED, RUNNING) === QUEUED) {
      codec.writeResult(s, encoded, spawner, 'a crash report');
      w[b + S_STATUS] = STATUS_PANIC;
      Atomics.store(w, b + S_STATE, DONE);
      sh.metrics[sh.metric(sh.mainThread, M_FINISHED)]!++;
    }
    sh.mailboxes[spawner]!.push(ref);
  }
}
