/**
 * The runtime's worker threads: start, replace on crash, stop.
 *
 * Tokio's worker threads live as long as the runtime. Node worker threads can die under
 * it, so each index has a supervisor: when its thread exits unexpectedly, the dead
 * worker's queued tasks are requeued and its running tasks failed (recovery.ts), pino logs
 * what happened, and a new thread takes the same index. A replacement that dies while
 * starting is retried with backoff (the other workers keep running the queue meanwhile).
 */
import type { Logger } from 'pino';
import type { ResourceLimits } from 'node:worker_threads';
import type { TaskDumpEntry } from '@skein/core';
import type { RuntimeCore, TrackingSettings } from '@skein/core/internal';
import { BlockingRelay, isBlockingMessage } from '../control/blocking_forward.js';
import type { PayloadCodec } from '../codec/payload.js';
import type { SideChannel } from '../codec/sab_channel.js';
import { READY, type TaskRef } from '../control/worker_api.js';
import type { SharedState } from '../scheduler/shared_state.js';
import type { LoopConfig } from '../scheduler/worker_loop.js';
import { WorkerCrashedError, type WorkerCrashReason } from './errors.js';
import { recoverDeadWorker, runningTasks } from './recovery.js';
import { releaseDeadThread } from '../sync/dead_thread.js';
import { isLedgerSegment, ThreadLedger } from '../sync/thread_ledger.js';
import { startWorker, tsxApiUrl, type StartedWorker } from './worker_spawn.js';

/** What the set needs from the backend. */
export interface WorkerSetOptions {
  readonly sh: SharedState;
  readonly side: SideChannel;
  readonly codec: PayloadCodec;
  readonly logger: Logger;
  readonly loop: LoopConfig;
  readonly logLevel: string;
  readonly tracking: TrackingSettings | undefined;
  readonly threadName: string;
  readonly onThreadStart: TaskRef | undefined;
  readonly onThreadStop: TaskRef | undefined;
  readonly resourceLimits: ResourceLimits | undefined;
  /** The main thread's runtime (runs blocking jobs forwarded by workers). */
  readonly main: RuntimeCore;
  /** Worker `i` is up (main-thread onThreadStart hook). */
  onStarted(i: number): void;
  /** Worker `i` is gone (main-thread onThreadStop hook). */
  onStopped(i: number): void;
  /** Every worker kept crashing the same way and none is replaced any more. */
  onAllGivenUp(cause: WorkerCrashedError): void;
}

/** Crashes in a row, each the same and soon after its start, after which an index is not replaced. */
export const CRASH_LOOP_LIMIT = 5;
/** A replacement that lives longer than this (ms) before crashing starts a new count. */
const CRASH_LOOP_WINDOW_MS = 30_000;

interface Live {
  readonly started: StartedWorker;
  readonly launchedAt: number;
  /** The thread's threadId, kept: a Worker reports -1 once it has exited. */
  readonly threadId: number;
  /** What the thread owns of the shared primitives (its ledger's segments), read once it has exited. */
  readonly ledger: SharedArrayBuffer[];
  ready: boolean;
  lastError: Error | undefined;
  readonly exited: Promise<void>;
}

/** The supervisor of a runtime's worker threads. */
export class WorkerSet {
  readonly #o: WorkerSetOptions;
  readonly #live: (Live | undefined)[] = [];
  readonly #bootFailures: number[] = [];
  /** Per index: the last crash's description and how many times in a row it happened. */
  readonly #crashes: ({ detail: string; count: number } | undefined)[] = [];
  readonly #givenUp = new Set<number>();
  #stopping = false;

  constructor(options: WorkerSetOptions) {
    this.#o = options;
  }

  /** Start every worker; rejects (and stops the others) if one fails to start. */
  async startAll(): Promise<void> {
    try {
      await Promise.all(Array.from({ length: this.#o.sh.workers }, (_, i) => this.#launch(i)));
    } catch (err) {
      this.terminateAll();
      throw err;
    }
  }

  #launch(i: number): Promise<void> {
    const o = this.#o;
    const ledger = ThreadLedger.allocate();
    const started = startWorker(
      {
        index: i,
        shared: o.sh.init,
        knownSabs: o.side.knownSabs(),
        ledger,
        loop: o.loop,
        logLevel: o.logLevel,
        tracking: o.tracking,
        onThreadStart: o.onThreadStart,
        onThreadStop: o.onThreadStop,
        tsxApiUrl: tsxApiUrl(),
      },
      `${o.threadName}-${i}`,
      o.resourceLimits,
    );
    let onExited!: () => void;
    const live: Live = {
      started,
      launchedAt: performance.now(),
      threadId: started.thread.threadId,
      ledger: [ledger],
      ready: false,
      lastError: undefined,
      exited: new Promise((r) => (onExited = r)),
    };
    this.#live[i] = live;
    const { thread } = started;
    return new Promise<void>((resolve, reject) => {
      const relay = new BlockingRelay(o.main);
      thread.on('message', (m: unknown) => {
        if (isBlockingMessage(m)) {
          relay.onMessage(m, thread);
          return;
        }
        if (isLedgerSegment(m)) {
          live.ledger.push(m.ledger);
          return;
        }
        if (m !== READY) return;
        live.ready = true;
        this.#bootFailures[i] = 0;
        thread.unref();
        o.onStarted(i);
        resolve();
      });
      thread.on('error', (err: Error) => {
        live.lastError = err;
      });
      thread.once('exit', (code: number) => {
        started.closeControl();
        onExited();
        if (!live.ready) {
          reject(live.lastError ?? new Error(`worker ${i} exited with code ${code} while starting`));
        }
        this.#onExit(i, live, code);
      });
    });
  }

  #onExit(i: number, live: Live, code: number): void {
    if (this.#live[i] === live) this.#live[i] = undefined;
    const o = this.#o;
    if (this.#stopping) {
      // What it still holds (a clone kept in module state, a task cut short by the grace
      // period) is given back all the same: the primitives outlive the runtime.
      releaseDeadThread(live.threadId, live.ledger, o.side.knownSabs().values(), o.logger, i);
      return;
    }
    const err = live.lastError;
    let reason: WorkerCrashReason = 'exit';
    let detail = `exit code ${code}`;
    if (err !== undefined) {
      const errCode = (err as { code?: string }).code;
      reason = errCode === 'ERR_WORKER_OUT_OF_MEMORY' ? 'out-of-memory' : 'uncaught-error';
      detail = `${err.name}: ${err.message}`;
    }
    const prev = this.#crashes[i];
    const count =
      prev?.detail === detail && performance.now() - live.launchedAt < CRASH_LOOP_WINDOW_MS ? prev.count + 1 : 1;
    this.#crashes[i] = { detail, count };
    const givingUp = count >= CRASH_LOOP_LIMIT;
    const crash = new WorkerCrashedError(
      i,
      reason,
      givingUp ? `${detail}; ${count} crashes in a row the same way, so it is not replaced` : detail,
      code,
    );
    const report = recoverDeadWorker(o.sh, i, crash, o.codec);
    releaseDeadThread(live.threadId, live.ledger, o.side.knownSabs().values(), o.logger, i);
    if (givingUp) {
      o.logger.error(
        { worker: i, reason, exitCode: code, err, crashes: count, failedTasks: report.failed },
        `worker ${i} crashed ${count} times in a row the same way (${reason}: ${detail}); not replacing it`,
      );
      if (live.ready) o.onStopped(i);
      this.#givenUp.add(i);
      if (this.#givenUp.size === o.sh.workers) o.onAllGivenUp(crash);
      return;
    }
    o.logger.error(
      { worker: i, reason, exitCode: code, err, requeued: report.requeued, failedTasks: report.failed },
      `worker ${i} crashed (${reason}: ${detail}); its running tasks failed, its queued tasks were requeued, starting a replacement`,
    );
    if (live.ready) o.onStopped(i);
    const failures = live.ready ? 0 : (this.#bootFailures[i] ?? 0) + 1;
    this.#bootFailures[i] = failures;
    const relaunch = (): void => {
      if (this.#stopping) return;
      this.#launch(i).catch((bootErr: unknown) => {
        // Shutting down while it boots terminates it: that is no failure.
        if (this.#stopping)
          o.logger.debug({ worker: i, err: bootErr }, `replacement worker ${i} stopped while starting (shutdown)`);
        else o.logger.error({ worker: i, err: bootErr }, `replacement worker ${i} failed to start`);
      });
    };
    if (failures === 0) relaunch();
    else setTimeout(relaunch, Math.min(5000, 50 * 2 ** failures)).unref();
  }

  /**
   * Task dumps of every ready worker; undefined for a worker that didn't answer within
   * `timeoutMs` (busy in a long poll: its event loop can't run the request) or that failed.
   */
  taskDumps(timeoutMs: number): Promise<(TaskDumpEntry[] | undefined)[]> {
    return Promise.all(
      this.#live.map((l) => {
        if (l?.ready !== true) return [];
        let timer: NodeJS.Timeout | undefined;
        const late = new Promise<undefined>((resolve) => (timer = setTimeout(resolve, timeoutMs, undefined)));
        const answer = l.started.control.taskDump().catch(() => undefined);
        return Promise.race([answer, late]).finally(() => clearTimeout(timer));
      }),
    );
  }

  /**
   * Ask every worker to shut down (abort tasks, wait for their cleanup); after `timeoutMs`
   * stop waiting, and log what each worker that hasn't answered is still running (a task
   * that never reaches an await holds its thread). Then terminate the threads and wait
   * until they are gone.
   */
  async stopAll(timeoutMs: number | undefined): Promise<void> {
    this.#stopping = true;
    const live: [number, Live][] = [];
    this.#live.forEach((l, i) => {
      if (l !== undefined) live.push([i, l]);
    });
    const stopped = new Set<number>();
    const stops = Promise.all(
      live.map(([i, l]) =>
        l.ready
          ? l.started.control.shutdown().then(
              () => void stopped.add(i),
              () => undefined,
            )
          : undefined,
      ),
    );
    if (timeoutMs === undefined) {
      await stops;
    } else {
      let timer: NodeJS.Timeout | undefined;
      const expired = await Promise.race([
        stops.then(() => false),
        new Promise<boolean>((r) => (timer = setTimeout(r, timeoutMs, true))),
      ]);
      clearTimeout(timer);
      if (expired)
        this.#logBusy(
          live.filter(([i, l]) => l.ready && !stopped.has(i)).map(([i]) => i),
          timeoutMs,
        );
    }
    await Promise.all(live.map(([, l]) => l.started.thread.terminate().catch(() => undefined)));
    await Promise.all(live.map(([, l]) => l.exited));
    for (const [i, l] of live) if (l.ready) this.#o.onStopped(i);
  }

  #logBusy(workers: number[], ms: number): void {
    for (const i of workers) {
      const tasks = runningTasks(this.#o.sh, i);
      this.#o.logger.warn(
        { worker: i, graceMs: ms, tasks },
        `worker ${i} was still busy ${ms} ms after shutdown began; terminating it. Tasks it was running: ` +
          `${tasks.length === 0 ? 'none from the queues (a closure or hook)' : tasks.map((t) => `${t.name} (id ${t.id})`).join(', ')}`,
      );
    }
  }

  /** Terminate every thread now, without waiting. */
  terminateAll(): void {
    this.#stopping = true;
    this.#live.forEach((l, i) => {
      if (l === undefined) return;
      void l.started.thread.terminate().catch(() => undefined);
      l.started.thread.unref();
      if (l.ready) this.#o.onStopped(i);
    });
  }
}
