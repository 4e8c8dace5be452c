/**
 * A receiver parked on a channel whose every sender was garbage-collected without being
 * closed can never wake (Rust would have dropped them and ended the channel): with task
 * tracking on, that is a 'stuck' warning. Only a collection reveals it, so the scenario
 * runs in a child process started with --expose-gc.
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

describe("'stuck' on a channel whose senders were dropped", () => {
  it('warns for mpsc, oneshot, watch and broadcast receivers, not for a live or a closed channel', () => {
    const script = fileURLToPath(new URL('./fixtures/abandoned_channels.ts', import.meta.url));
    const out = execFileSync(
      process.execPath,
      ['--expose-gc', '--conditions=skein-source', '--import', 'tsx', script],
      {
        encoding: 'utf8',
      },
    );
    const r = JSON.parse(out.trim().split('\n').pop()!) as { stuck: string[]; message?: string; dumpStuck?: string };
    expect(r.stuck).toEqual(['broadcastRecv', 'mpscRecv', 'oneshotRecv', 'watchChanged']);
    expect(r.message).toMatch(/on mpsc#\d+, whose every sender was garbage-collected without being closed/);
    expect(r.dumpStuck).toMatch(/whose every sender was garbage-collected/);
  });
});
