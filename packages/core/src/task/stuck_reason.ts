/**
 * Why a parked task can never be woken: tracking's 'stuck' warning and the `stuck` field of
 * a task dump both ask this, so they agree on what counts as stuck.
 */
import type { LocalTask } from './task.js';
import { IDLE, type TaskRecord } from './task_record.js';

/**
 * Why `task` can't be woken, if it has been parked past the stuck threshold on a foreign
 * promise, on a lock or semaphore every holder of which finished without releasing it
 * (a guard neither released nor disposed: nothing can ever hand it on), or on a channel
 * whose every sender was collected without being closed.
 */
export function stuckReason(task: LocalTask<unknown>, r: TaskRecord, now: number, stuckMs: number): string | undefined {
  if (r.phase !== IDLE || task.state !== 'running') return undefined;
  const ms = now - r.since;
  if (ms <= stuckMs) return undefined;
  if (task.inflight === 0) {
    return `has been parked for ${ms.toFixed(0)} ms on a promise the runtime doesn't drive: if nothing settles it, it never wakes (wrap it in timeout())`;
  }
  const res = r.waitResource;
  if (res === undefined) return undefined;
  if (res.ends?.abandoned === true) {
    return `has been parked for ${ms.toFixed(0)} ms on ${res.name}, whose every sender was garbage-collected without being closed: nothing can send on it or end it. Close senders when done (\`tx.close()\`, or \`using tx = ...\`)`;
  }
  if (res.holders.size === 0) return undefined;
  const holders: string[] = [];
  for (const h of res.holders.keys()) {
    if (h.state !== 'finished') return undefined;
    holders.push(`task ${h.id} (${h.nameWith(h.record?.body)})`);
  }
  return `has been parked for ${ms.toFixed(0)} ms on ${res.name}, held by ${holders.join(', ')}, which finished without releasing it: release guards with \`using\` or in a finally block`;
}
