/**
 * Warnings, after Tokio console's lints, derived from tracked task rows (an untracked row
 * never warns: its zeros mean "not recorded").
 */
import { FOREIGN_PROMISE, type TaskRow } from './task_row.js';

/** One warning as GET /api/warnings lists it. */
export interface Warning {
  readonly taskId: number;
  readonly kind: 'long-poll' | 'never-yielded' | 'stuck';
  readonly message: string;
}

/** The thresholds the warnings use. */
export interface WarningThresholds {
  /** A poll longer than this is a 'long-poll' (Builder.longPollThreshold, default 50). */
  readonly longPollMs: number;
  /** Parked this long on an await the runtime can't see is 'stuck'. */
  readonly stuckMs: number;
}

/** The warnings for `rows`. */
export function warningsOf(rows: readonly TaskRow[], t: WarningThresholds): Warning[] {
  const out: Warning[] = [];
  for (const r of rows) {
    if (!r.tracked) continue;
    const who = `task ${r.id} (${r.name}${r.spawnSite === '' ? '' : ` at ${r.spawnSite}`})`;
    if (r.state === 'running' && r.polls <= 1 && r.busyMs > t.longPollMs) {
      out.push({
        taskId: r.id,
        kind: 'never-yielded',
        message: `${who} has run ${fmt(r.busyMs)} ms without yielding: await yieldNow() in long loops, or move the work to spawnBlocking`,
      });
    } else if (r.longestPollMs > t.longPollMs) {
      out.push({
        taskId: r.id,
        kind: 'long-poll',
        message: `${who} held its thread for ${fmt(r.longestPollMs)} ms in one poll (threshold ${t.longPollMs} ms): it blocks every task queued behind it; split the work with yieldNow() or use spawnBlocking`,
      });
    }
    if (r.stuck !== '') {
      out.push({ taskId: r.id, kind: 'stuck', message: `${who} ${r.stuck}` });
    } else if (
      r.state !== 'running' &&
      r.state !== 'queued' &&
      (r.waitingOn === '' || r.waitingOn === FOREIGN_PROMISE) &&
      r.idleMs > t.stuckMs
    ) {
      out.push({
        taskId: r.id,
        kind: 'stuck',
        message: `${who} has been parked for ${fmt(r.idleMs)} ms on a promise the runtime doesn't drive: if nothing resolves it, it never wakes (wrap it in timeout())`,
      });
    }
  }
  return out;
}

function fmt(ms: number): string {
  return ms >= 100 ? ms.toFixed(0) : ms.toFixed(1);
}
