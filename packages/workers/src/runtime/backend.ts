/**
 * The multi-thread flavour as core sees it: `createMultiThreadBackend()`.
 *
 * Tokio's multi-thread runtime is a `Handle` onto shared scheduler state plus N worker
 * threads. This is the main thread's side of that: it allocates the shared memory, starts
 * the workers (and replaces any that die), spawns onto the inject queue in batches, drains
 * the main thread's completion mailbox, reports metrics from the shared metrics block, and
 * shuts everything down so the process can always exit.
 *
 * Keeping the process alive: worker threads are unref'd once started, and one ref'd
 * MessagePort holds the main event loop open only while a task spawned from the main
 * thread has an outcome someone awaits (or a control call or shutdown is pending). So
 * `await handle` keeps the process up (a pending `Atomics.waitAsync` would not), and a
 * program that ends without shutting its runtime down still exits, dropping detached
 * tasks as Tokio does when its runtime is dropped.
 */
import { MessageChannel } from 'node:worker_threads';
import type { RecordableHistogram } from 'node:perf_hooks';
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { isTaskDef, rangeError, type TaskDumpEntry } from '@skein/core';
import {
  runThreadHook,
  type Joinable,
  type MultiThreadBackend,
  type RuntimeConfig,
  type RuntimeCore,
  type TaskDef,
  type ThreadHook,
  type WorkerMetrics,
} from '@skein/core/internal';
import { PayloadCodec } from '../codec/payload.js';
import { SideChannel } from '../codec/sab_channel.js';
import type { TaskRef } from '../control/worker_api.js';
import {
  C_NEXT_CHANNEL_ID,
  C_NEXT_ID_BLOCK,
  C_SHUTDOWN,
  M_BUDGET_YIELDS,
  M_FINISHED,
  M_SPAWNED,
  SharedState,
} from '../scheduler/shared_state.js';
import { Settler } from '../scheduler/settler.js';
import { SlotControl } from '../scheduler/slot_control.js';
import { SlotPartition } from '../scheduler/slot_partition.js';
import { Spawner } from '../scheduler/spawner.js';
import { TaskIds } from '../scheduler/task_ids.js';
import { QUEUED, RUNNING, SLOT_WORDS, S_OWNER, S_SPAWNER, S_STATE, S_TYPE } from '../scheduler/task_slots.js';
import { CompletionPump, InjectBatcher } from './main_io.js';
import { workerMetrics } from './metrics.js';
import { assertWorkersFit, createShared, sharedSizes, workerResourceLimits } from './options.js';
import { WorkerSet } from './worker_set.js';
import { discardQueued, failQueued } from './recovery.js';
import type { WorkerCrashedError } from './errors.js';

/**
 * How long a task dump waits for each worker. A worker in a long poll can't answer until the
 * poll ends; its tasks then come from the slot table, marked stale.
 */
const DUMP_TIMEOUT_MS = 250;

/** Build the multi-thread backend for `config` and start its workers. */
export async function createMultiThreadBackend(
  config: RuntimeConfig,
  main: RuntimeCore,
  logger: Logger,
): Promise<MultiThreadBackend> {
  const backend = new MultiThreadScheduler(config, main, logger);
  await backend.start();
  return backend;
}

async function hookRef(hook: ThreadHook | undefined): Promise<TaskRef | undefined> {
  if (hook === undefined || !isTaskDef(hook)) return undefined;
  return { url: hook.url, name: await hook.resolveName() };
}

/** The main thread's side of a multi-thread runtime. */
class MultiThreadScheduler implements MultiThreadBackend {
  readonly #config: RuntimeConfig;
  readonly #main: RuntimeCore;
  readonly #logger: Logger;
  readonly #sh: SharedState;
  readonly #side: SideChannel;
  readonly #codec: PayloadCodec;
  readonly #spawner: Spawner;
  readonly #batcher: InjectBatcher;
  readonly #pump: CompletionPump;
  readonly #keepAlive = new MessageChannel();
  #refs = 0;
  #workers!: WorkerSet;
  #closing: Promise<void> | undefined = undefined;
  /** Set once every worker kept crashing the same way and none is replaced (worker_set.ts). */
  #allCrashed: WorkerCrashedError | undefined = undefined;
  readonly #metrics: WorkerMetrics[] = [];

  constructor(config: RuntimeConfig, main: RuntimeCore, logger: Logger) {
    this.#config = config;
    this.#main = main;
    this.#logger = logger;
    const sizes = sharedSizes(config.workerThreads);
    assertWorkersFit(sizes);
    const init = createShared(sizes, `skein:${randomUUID()}`);
    const sh = (this.#sh = new SharedState(init));
    const me = sh.mainThread;
    this.#side = new SideChannel(init.channelName, sh.control, C_NEXT_CHANNEL_ID, me);
    this.#codec = new PayloadCodec(sh.slots, sh.arena, this.#side);
    this.#batcher = new InjectBatcher(sh);
    const partition = new SlotPartition(sh, me);
    // The main thread stays alive exactly while someone awaits a pending outcome.
    const control = new SlotControl(sh, this.#codec, partition, logger, (watched) =>
      watched ? this.#ref() : this.#unref(),
    );
    const ids = new TaskIds(sh.control, C_NEXT_ID_BLOCK);
    this.#spawner = new Spawner(sh, me, this.#codec, ids, partition, control, this.#submit);
    this.#pump = new CompletionPump(new Settler(sh, me, this.#codec, partition, this.#spawner), sh.mailboxes[me]!);
    this.#keepAlive.port1.on('message', () => undefined);
    this.#keepAlive.port1.unref();
    for (let i = 0; i < sh.workers; i++) this.#metrics.push(workerMetrics(sh, i));
  }

  /** Where spawns go: the inject queue, or straight to failure once no worker is left. */
  readonly #submit = (ref: number): void => {
    this.#batcher.submit(ref);
    if (this.#allCrashed !== undefined) this.#failQueued(this.#allCrashed);
  };

  #failQueued(cause: WorkerCrashedError): void {
    this.#batcher.flush();
    failQueued(this.#sh, cause, this.#codec);
  }

  async start(): Promise<void> {
    const c = this.#config;
    const logLevel = typeof c.logger === 'string' ? c.logger : (c.logger?.level ?? 'warn');
    this.#workers = new WorkerSet({
      sh: this.#sh,
      side: this.#side,
      codec: this.#codec,
      logger: this.#logger,
      loop: {
        eventInterval: c.eventInterval,
        globalQueueInterval: c.globalQueueInterval,
        disableLifoSlot: c.disableLifoSlot,
      },
      logLevel,
      tracking: c.taskTracking === true ? { longPollMs: c.longPollThreshold, stuckMs: c.stuckThreshold } : undefined,
      threadName: c.threadName,
      onThreadStart: await hookRef(c.onThreadStart),
      onThreadStop: await hookRef(c.onThreadStop),
      resourceLimits: workerResourceLimits(),
      main: this.#main,
      onStarted: (i) => this.#hook(c.onThreadStart, i),
      onStopped: (i) => this.#hook(c.onThreadStop, i),
      onAllGivenUp: (cause) => {
        this.#allCrashed = cause;
        this.#failQueued(cause);
      },
    });
    this.#ref();
    try {
      await this.#workers.startAll();
    } catch (err) {
      this.#closeMain();
      throw err;
    } finally {
      this.#unref();
    }
  }

  #hook(hook: ThreadHook | undefined, i: number): void {
    if (hook !== undefined && !isTaskDef(hook)) runThreadHook(hook, i, this.#logger);
  }

  #ref(): void {
    if (this.#refs++ === 0) this.#keepAlive.port1.ref();
  }

  #unref(): void {
    if (--this.#refs === 0) this.#keepAlive.port1.unref();
  }

  spawn<A extends unknown[], R>(def: TaskDef<A, R>, args: A): Joinable<R> {
    return this.#spawner.spawn(def as unknown as TaskDef<unknown[], R>, args);
  }

  get numWorkers(): number {
    return this.#sh.workers;
  }

  get numAliveTasks(): number {
    let n = 0;
    for (let t = 0; t <= this.#sh.workers; t++) {
      n += this.#sh.metrics[this.#sh.metric(t, M_SPAWNED)]! - this.#sh.metrics[this.#sh.metric(t, M_FINISHED)]!;
    }
    return n;
  }

  get spawnedTasksCount(): number {
    let n = 0;
    for (let t = 0; t <= this.#sh.workers; t++) n += this.#sh.metrics[this.#sh.metric(t, M_SPAWNED)]!;
    return n;
  }

  get pollTimeHistograms(): readonly RecordableHistogram[] {
    return this.#sh.init.pollTimeNs;
  }

  get budgetForcedYieldCount(): number {
    let n = 0;
    for (let i = 0; i < this.#sh.workers; i++) n += this.#sh.metrics[this.#sh.metric(i, M_BUDGET_YIELDS)]!;
    return n;
  }

  get globalQueueDepth(): number {
    return this.#sh.layout.inject.len() + this.#batcher.pending + this.#spawner.waiting;
  }

  worker(i: number): WorkerMetrics {
    const m = this.#metrics[i];
    if (m === undefined) {
      const n = this.#sh.workers;
      throw rangeError(
        `worker index ${i} is out of range: this runtime has ${n} worker${n === 1 ? '' : 's'} (0..${n - 1})`,
      );
    }
    return m;
  }

  async taskDump(): Promise<TaskDumpEntry[]> {
    this.#ref();
    try {
      const dumps = await this.#workers.taskDumps(DUMP_TIMEOUT_MS);
      const out = dumps.flatMap((d) => d ?? []);
      const seen = new Set<number>();
      for (const e of out) seen.add(e.id);
      // Tasks still in a queue, and any that started after their worker answered: from the
      // slot table, read after the workers' answers so nothing falls between the two.
      const sh = this.#sh;
      const w = sh.slots.i32;
      for (let s = 0; s < sh.slots.count; s++) {
        const b = s * SLOT_WORDS;
        const state = Atomics.load(w, b + S_STATE);
        if (state !== QUEUED && state !== RUNNING) continue;
        const id = sh.slots.taskId(s);
        if (seen.has(id)) continue;
        const thread = state === QUEUED ? w[b + S_SPAWNER]! : w[b + S_OWNER]!;
        const where = thread === sh.mainThread ? 'main' : thread;
        out.push({
          id,
          name: sh.types.get(w[b + S_TYPE]!).name,
          state: state === QUEUED ? 'queued' : 'running',
          thread: where,
          worker: where,
          ...(where !== 'main' && dumps[where] === undefined ? { stale: true } : {}),
        });
      }
      for (const t of this.#spawner.waitingTasks())
        out.push({ id: t.id, name: t.name, state: 'queued', thread: 'main', worker: 'main' });
      return out;
    } finally {
      this.#unref();
    }
  }

  shutdown(timeoutMs: number | undefined): Promise<void> {
    return (this.#closing ??= this.#shutdown(timeoutMs));
  }

  async #shutdown(timeoutMs: number | undefined): Promise<void> {
    this.#ref();
    Atomics.store(this.#sh.control, C_SHUTDOWN, 1);
    // Every handle settles when shutdown begins, as abort() settles it: a task that returns
    // later (a CPU-bound one that never reaches an await) must not resolve it with a value.
    this.#spawner.cancelAll();
    try {
      await this.#workers.stopAll(timeoutMs);
      this.#batcher.flush();
      discardQueued(this.#sh, this.#codec);
    } finally {
      this.#closeMain();
      this.#unref();
    }
  }

  shutdownBackground(): void {
    if (this.#closing !== undefined) return;
    Atomics.store(this.#sh.control, C_SHUTDOWN, 1);
    this.#closing = Promise.resolve();
    this.#workers.terminateAll();
    this.#closeMain();
  }

  /** Settle what the main thread still waits for, and release every handle. */
  #closeMain(): void {
    this.#pump.close();
    this.#spawner.cancelAll();
    this.#side.close();
    this.#keepAlive.port1.close();
    this.#keepAlive.port2.close();
  }
}
