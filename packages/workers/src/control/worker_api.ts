/**
 * What each worker exposes on its control port (comlink), and what it is started with.
 */
import type { MessagePort } from 'node:worker_threads';
import type { TaskDumpEntry } from '@skein/core';
import type { TrackingSettings } from '@skein/core/internal';
import type { SharedInit } from '../scheduler/shared_state.js';
import type { LoopConfig } from '../scheduler/worker_loop.js';

/** A task definition named by module URL and export name (a thread hook). */
export interface TaskRef {
  readonly url: string;
  readonly name: string;
}

/** `workerData` of a runtime worker. */
export interface WorkerBoot {
  readonly index: number;
  readonly shared: SharedInit;
  /** SharedArrayBuffers registered before this worker started (side channel). */
  readonly knownSabs: Map<number, SharedArrayBuffer>;
  /** Where this thread counts what it owns of the shared primitives (`sync/thread_ledger.ts`). */
  readonly ledger: SharedArrayBuffer;
  readonly loop: LoopConfig;
  readonly logLevel: string;
  /** Task tracking's settings, when it is on. */
  readonly tracking: TrackingSettings | undefined;
  readonly onThreadStart: TaskRef | undefined;
  readonly onThreadStop: TaskRef | undefined;
  readonly tsxApiUrl: string | undefined;
  readonly control: MessagePort;
}

/** Counters a worker reports on request (live values, beyond the shared metrics block). */
export interface WorkerSnapshot {
  readonly numAlive: number;
  readonly pollCount: number;
  readonly busyMs: number;
}

/** The control-plane API of one worker. */
export interface WorkerControl {
  /** Publish counters to shared memory and return a few live ones. */
  snapshot(): WorkerSnapshot;
  /** Every live task on the worker. */
  taskDump(): TaskDumpEntry[];
  /** Stop claiming tasks, abort every task, wait for their cleanup, run onThreadStop. */
  shutdown(): Promise<void>;
}

/** The message a worker posts on its parentPort once it is ready. */
export const READY = 'skein:ready';
