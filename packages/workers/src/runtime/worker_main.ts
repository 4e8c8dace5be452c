/**
 * The entry of a runtime worker thread.
 *
 * Tokio starts each worker thread with a handle to the shared scheduler state and runs
 * `worker::run` on it. Here the thread attaches to the runtime's shared memory (from
 * `workerData`) and builds its parts, each from the ones it needs, in the order a spawn
 * flows: local queueing, the Spawner (nested spawns), the Settler (their completions),
 * RunningTasks (outcomes of the tasks run here), the RuntimeCore (core Scheduler +
 * TimeDriver), the TaskRunner and the WorkerLoop. It then exposes the control plane on its
 * MessagePort (which also keeps the thread alive while the loop is parked: a pending
 * `Atomics.waitAsync` does not), runs the onThreadStart hook, and reports ready.
 */
import { parentPort, threadId, workerData } from 'node:worker_threads';
import { expose } from 'comlink';
import { isTaskDef, typeError, type TaskDumpEntry } from '@skein/core';
import { currentFrame, makeLogger, SchedulerCounters } from '@skein/core/internal';
import { PayloadCodec } from '../codec/payload.js';
import { SideChannel } from '../codec/sab_channel.js';
import { BlockingForwarder, isBlockingMessage } from '../control/blocking_forward.js';
import { nodeEndpoint } from '../control/endpoint.js';
import {
  READY,
  type TaskRef,
  type WorkerBoot,
  type WorkerControl,
  type WorkerSnapshot,
} from '../control/worker_api.js';
import { ParkState } from '../scheduler/park_state.js';
import { Inbox } from '../scheduler/inbox.js';
import { RunningTasks } from '../scheduler/running_tasks.js';
import { Settler } from '../scheduler/settler.js';
import { C_NEXT_CHANNEL_ID, C_NEXT_ID_BLOCK, SharedState } from '../scheduler/shared_state.js';
import { SlotControl } from '../scheduler/slot_control.js';
import { SlotPartition } from '../scheduler/slot_partition.js';
import { Spawner } from '../scheduler/spawner.js';
import { TaskIds } from '../scheduler/task_ids.js';
import { TaskRunner } from '../scheduler/task_runner.js';
import { WorkerLoop } from '../scheduler/worker_loop.js';
import { WorkerStats } from '../scheduler/worker_stats.js';
import { WorkerSubmit } from '../scheduler/worker_submit.js';
import { installThreadLedger, type LedgerSegmentMessage } from '../sync/thread_ledger.js';
import { guardServers } from './server_guard.js';
import { deferTaskExits } from './deferred_exit.js';
import { importTaskModule, setTsxApiUrl } from './task_loader.js';
import { WorkerRuntime } from './worker_runtime.js';

guardServers();
const boot = workerData as WorkerBoot;
const me = boot.index;
setTsxApiUrl(boot.tsxApiUrl);
installThreadLedger(boot.ledger, (ledger) =>
  parentPort!.postMessage({ t: 'skein:ledger', threadId, ledger } satisfies LedgerSegmentMessage),
);
const sh = new SharedState(boot.shared);
const logger = makeLogger(boot.logLevel).child({ worker: me });
const ids = new TaskIds(sh.control, C_NEXT_ID_BLOCK);
const side = new SideChannel(boot.shared.channelName, sh.control, C_NEXT_CHANNEL_ID, me, boot.knownSabs);
const codec = new PayloadCodec(sh.slots, sh.arena, side);
const counters = new SchedulerCounters(sh.init.pollTimeNs[me]);
const stats = new WorkerStats(sh, me, counters);
const park = new ParkState(sh, me);
const submit = new WorkerSubmit(sh, me, boot.loop.disableLifoSlot, stats, park);
const partition = new SlotPartition(sh, me);
const spawner = new Spawner(
  sh,
  me,
  codec,
  ids,
  partition,
  new SlotControl(sh, codec, partition, logger),
  submit.submit,
);
const settler = new Settler(sh, me, codec, partition, spawner);
const running = new RunningTasks(sh, me, codec, settler, logger);
const inbox = new Inbox(sh.mailboxes[me]!, running, settler);
const blocking = new BlockingForwarder(parentPort!, logger);
parentPort!.on('message', (m: unknown) => {
  if (isBlockingMessage(m)) blocking.onMessage(m);
});
const rt = new WorkerRuntime(sh, me, {
  ids,
  logger,
  tracking: boot.tracking,
  counters,
  spawner,
  running,
  blocking,
  // Started tasks go on running while the loop is parked (timers, I/O, wakes), and their
  // polls and forced yields count on the core scheduler: publish when it runs dry too, or
  // runtime.metrics() would show the counters as they were when the loop parked.
  onIdle: () => stats.publish(),
  onBusy: park.wakeForOwnTask,
  beforeDrain: inbox.drainPending,
});
const runner = new TaskRunner(rt, sh, me, codec, stats, running);
const loop = new WorkerLoop(sh, me, { cfg: boot.loop, runner, inbox, scheduler: rt.scheduler, stats, park });
deferTaskExits(
  () => currentFrame()?.task !== undefined,
  () => loop.stop(),
);

/** Run a hook task definition as a task on this worker; failures are logged. */
async function runHook(ref: TaskRef | undefined, which: string): Promise<void> {
  if (ref === undefined) return;
  try {
    const ns = await importTaskModule(ref.url);
    const def = ns[ref.name];
    const fn = isTaskDef(def) ? def.fn : def;
    if (typeof fn !== 'function')
      throw typeError(`export "${ref.name}" of ${ref.url} is not a task() definition`, 'ERR_SKEIN_TASK_NOT_A_FUNCTION');
    await rt.spawnLocal(() => (fn as (i: number) => unknown)(me), { name: which });
  } catch (err) {
    logger.warn({ err, worker: me }, `${which} hook failed`);
  }
}

let stopping: Promise<void> | undefined;

const api: WorkerControl = {
  snapshot(): WorkerSnapshot {
    stats.publishWithLoop(true);
    const c = rt.scheduler.counters;
    return { numAlive: rt.numAlive, pollCount: c.pollCount, busyMs: c.busyMs };
  },
  taskDump(): TaskDumpEntry[] {
    return rt.dump();
  },
  shutdown(): Promise<void> {
    return (stopping ??= (async () => {
      loop.stop();
      await rt.shutdown();
      spawner.cancelAll();
      blocking.cancelAll();
      stats.publishWithLoop(true);
      await runHook(boot.onThreadStop, 'onThreadStop');
      side.close();
    })());
  },
};

expose(api, nodeEndpoint(boot.control));
await runHook(boot.onThreadStart, 'onThreadStart');
loop.start();
logger.debug('worker started');
parentPort!.postMessage(READY);
