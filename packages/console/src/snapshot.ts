/**
 * Collects what the console shows, once per tick, from the runtime's public API:
 * `metrics()` for the runtime and its workers, `taskDump()` for the tasks.
 */
import { performance, type EventLoopUtilization } from 'node:perf_hooks';
import type { Runtime } from '@skein/core';
import { buckets, summarize, type PollTimeBucket, type PollTimes } from './poll_times.js';
import { resourcesOf, type ResourceRow } from './resources.js';
import { taskRow, type ConsoleDumpEntry, type TaskRow } from './task_row.js';
import { warningsOf, type Warning, type WarningThresholds } from './warnings.js';

/**
 * What the console needs of a runtime: a skein `Runtime`, or anything shaped like one whose
 * dump entries carry more of the {@link TrackedFields}.
 */
export type ConsoleRuntime = Pick<Runtime, 'flavor' | 'metrics' | 'isShutdown'> & {
  taskDump(): Promise<readonly ConsoleDumpEntry[]>;
};

/** The runtime as a whole (GET /api/runtime). */
export interface RuntimeSummary {
  readonly flavor: 'current_thread' | 'multi_thread';
  readonly numWorkers: number;
  readonly aliveTasks: number;
  readonly spawnedTasks: number;
  readonly globalQueueDepth: number;
  readonly budgetForcedYields: number;
  readonly blockingThreads: number;
  readonly idleBlockingThreads: number;
  readonly blockingQueueDepth: number;
  /** The main thread's event-loop utilisation since the previous snapshot, 0 to 1. */
  readonly mainEventLoopUtilization: number;
  readonly pollTimes: PollTimes;
  readonly pollTimeBuckets: readonly PollTimeBucket[];
}

/** One worker (GET /api/workers); the main thread is worker 0 on current-thread. */
export interface WorkerRow {
  readonly thread: number | 'main';
  readonly pollCount: number;
  readonly stealCount: number;
  readonly stealOperations: number;
  readonly parkCount: number;
  readonly unparkCount: number;
  readonly busyMs: number;
  readonly localQueueDepth: number;
  readonly overflowCount: number;
  readonly meanPollTimeUs: number;
  /** Share of wall time spent running tasks since the previous snapshot, 0 to 1. */
  readonly busyRatio: number;
  /**
   * The thread's event-loop utilisation since the previous snapshot, 0 to 1: from its
   * metrics' `eventLoopActiveMs` / `eventLoopIdleMs`. A worker publishes those as it
   * yields to its event loop or parks; one that published nothing since (parked, or in one
   * long poll: see busyRatio and the warnings) shows 0.
   */
  readonly eventLoopUtilization: number;
}

/** A task's detail (GET /api/tasks/:id): its row and its poll-time distribution if tracked. */
export interface TaskDetail {
  readonly task: TaskRow;
  readonly pollTimes: PollTimes | null;
  readonly pollTimeBuckets: readonly PollTimeBucket[];
}

/** Everything at one moment; the payload of each server-sent event. */
export interface Snapshot {
  /** Wall-clock time of the snapshot (ms since the epoch). */
  readonly at: number;
  readonly runtime: RuntimeSummary;
  readonly tasks: readonly TaskRow[];
  readonly workers: readonly WorkerRow[];
  readonly resources: readonly ResourceRow[];
  readonly warnings: readonly Warning[];
}

/** Takes snapshots of one runtime, keeping what rates need between them. */
export class SnapshotSource {
  readonly #runtime: ConsoleRuntime;
  readonly #thresholds: WarningThresholds;
  #prevAt = performance.now();
  #prevBusy: number[] = [];
  #prevLoop: { active: number; idle: number }[] = [];
  #prevElu: EventLoopUtilization = performance.eventLoopUtilization();
  #pollTimes = new Map<number, PollTimes>();

  constructor(runtime: ConsoleRuntime, thresholds: WarningThresholds) {
    this.#runtime = runtime;
    this.#thresholds = thresholds;
  }

  /** A fresh snapshot. Rates cover the time since the previous one. */
  async take(): Promise<Snapshot> {
    const rt = this.#runtime;
    // A shut-down runtime's worker threads are gone: there is nothing left to dump.
    const entries = rt.isShutdown ? [] : await rt.taskDump();
    const tasks = entries.map(taskRow).sort((a, b) => a.id - b.id);
    this.#pollTimes = new Map(
      entries.flatMap((e) => (e.pollTimes === undefined ? [] : [[e.id, e.pollTimes] as const])),
    );
    const m = rt.metrics();
    const now = performance.now();
    const wallMs = Math.max(now - this.#prevAt, 1e-3);
    const elu = performance.eventLoopUtilization();
    const mainElu = performance.eventLoopUtilization(elu, this.#prevElu).utilization;
    const workers: WorkerRow[] = [];
    for (let i = 0; i < m.numWorkers; i++) {
      const w = m.worker(i);
      const prev = this.#prevBusy[i] ?? w.busyMs;
      const loop = { active: w.eventLoopActiveMs, idle: w.eventLoopIdleMs };
      const prevLoop = this.#prevLoop[i] ?? { active: 0, idle: 0 };
      const dActive = loop.active - prevLoop.active;
      const dLoop = dActive + loop.idle - prevLoop.idle;
      workers.push({
        thread: rt.flavor === 'current_thread' ? 'main' : i,
        pollCount: w.pollCount,
        stealCount: w.stealCount,
        stealOperations: w.stealOperations,
        parkCount: w.parkCount,
        unparkCount: w.unparkCount,
        busyMs: w.busyMs,
        localQueueDepth: w.localQueueDepth,
        overflowCount: w.overflowCount,
        meanPollTimeUs: w.meanPollTimeUs,
        busyRatio: clamp01((w.busyMs - prev) / wallMs),
        eventLoopUtilization: rt.flavor === 'current_thread' ? mainElu : dLoop > 0 ? clamp01(dActive / dLoop) : 0,
      });
      this.#prevBusy[i] = w.busyMs;
      this.#prevLoop[i] = loop;
    }
    this.#prevAt = now;
    this.#prevElu = elu;
    const pollTimes = summarize(m.pollTimeHistogram());
    return {
      at: Date.now(),
      runtime: {
        flavor: rt.flavor,
        numWorkers: m.numWorkers,
        aliveTasks: m.numAliveTasks,
        spawnedTasks: m.spawnedTasksCount,
        globalQueueDepth: m.globalQueueDepth,
        budgetForcedYields: m.budgetForcedYieldCount,
        blockingThreads: m.numBlockingThreads,
        idleBlockingThreads: m.numIdleBlockingThreads,
        blockingQueueDepth: m.blockingQueueDepth,
        mainEventLoopUtilization: mainElu,
        pollTimes,
        pollTimeBuckets: buckets(pollTimes),
      },
      tasks,
      workers,
      resources: resourcesOf(tasks),
      warnings: warningsOf(tasks, this.#thresholds),
    };
  }

  /** The detail of task `id` in `snap` (taken by this source), or undefined if it is gone. */
  detail(snap: Snapshot, id: number): TaskDetail | undefined {
    const task = snap.tasks.find((t) => t.id === id);
    if (task === undefined) return undefined;
    const pollTimes = this.#pollTimes.get(id) ?? null;
    return { task, pollTimes, pollTimeBuckets: pollTimes === null ? [] : buckets(pollTimes) };
  }
}

function clamp01(x: number): number {
  return Math.min(Math.max(x, 0), 1);
}
