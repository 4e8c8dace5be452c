/**
 * A spawn that can't be queued yet: its task definition's export name is still being
 * looked up (an async import, once per definition and thread), or its thread's slot
 * partition is full. Its arguments are already encoded (a snapshot), so a value that
 * can't cross has thrown at the call, as Tokio's `spawn` panics at the call.
 */
import type { Joinable, TaskDef } from '@skein/core/internal';
import type { Snapshot } from '../codec/payload.js';
import type { RemoteTask } from './remote_task.js';

/**
 * Runs a task on the spawning thread itself (a worker whose slot partition is full).
 * Returns the started task.
 */
export interface LocalRunner {
  runHere(fn: (...args: unknown[]) => unknown, args: unknown[], name: string, id: number): Joinable<unknown>;
}

/** A spawn waiting in its Spawner. */
export interface PendingSpawn {
  readonly task: RemoteTask<unknown>;
  readonly def: TaskDef;
  /** 0 until the export name is known. */
  typeId: number;
  readonly snap: Snapshot;
  /** Where it runs if no slot is free when its turn comes (workers only). */
  readonly here: LocalRunner | undefined;
  cancelled: boolean;
  /** Set when the task ended up running on this thread (see {@link LocalRunner}). */
  local: Joinable<unknown> | undefined;
}
