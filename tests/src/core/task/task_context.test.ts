/**
 * The current task follows every await, whichever carrier this Node uses (context.ts):
 * skein's own promise hooks (the default on Node 20) or AsyncLocalStorage (the default on
 * Node 24, and SKEIN_CONTEXT=als anywhere). Both are run here in fresh processes, since the
 * carrier is picked once per process at import.
 */
import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

interface ProbeOutput {
  results: Record<string, boolean>;
  handleSpawnFromCallback: boolean;
  freeSpawnFromCallback: string;
  callbacks: { setTimeout: string; queueMicrotask: string };
}

function probe(carrier: 'hooks' | 'als'): ProbeOutput {
  const script = fileURLToPath(new URL('../runtime/fixtures/context_probe.ts', import.meta.url));
  const out = execFileSync(process.execPath, ['--conditions=skein-source', '--import', 'tsx', script], {
    encoding: 'utf8',
    env: { ...process.env, SKEIN_CONTEXT: carrier },
  });
  return JSON.parse(out.trim().split('\n').pop()!) as ProbeOutput;
}

function failing(o: ProbeOutput): string[] {
  return Object.entries(o.results)
    .filter(([, ok]) => !ok)
    .map(([name]) => name);
}

describe('the current task across awaits', () => {
  // Documented difference: the hooks follow promises only, AsyncLocalStorage also follows
  // plain callbacks. A Handle captured in the task spawns from a callback either way.
  it.each([
    { carrier: 'hooks' as const, callbacks: 'no task', freeSpawn: 'ERR_SKEIN_NO_RUNTIME (names Handle.current())' },
    { carrier: 'als' as const, callbacks: 'its task', freeSpawn: 'spawned' },
  ])(
    '$carrier: every await shape resumes its own task; a plain callback sees $callbacks',
    ({ carrier, callbacks, freeSpawn }) => {
      const o = probe(carrier);
      expect(Object.keys(o.results).length).toBeGreaterThanOrEqual(26);
      expect(failing(o)).toEqual([]);
      expect(o.callbacks).toEqual({ setTimeout: callbacks, queueMicrotask: callbacks });
      expect(o.handleSpawnFromCallback).toBe(true);
      expect(o.freeSpawnFromCallback).toBe(freeSpawn);
    },
  );

  // The carrier probe at import runs an AsyncLocalStorage of its own. Before it ran in a
  // scope of its own it left an empty frame entered, which skein's task-start context then
  // captured: every task start copied that Map into its own frame (a tenth of a spawn and
  // await on Node 24). No frame on Node 22's default carrier, either way.
  it('importing @skein/core leaves the importer in the async context it had (none, here)', () => {
    const script = fileURLToPath(new URL('../runtime/fixtures/import_context.ts', import.meta.url));
    const out = execFileSync(process.execPath, ['--conditions=skein-source', '--import', 'tsx', script], {
      encoding: 'utf8',
    });
    expect(out.trim()).toBe('none');
  });

  it('an unknown SKEIN_CONTEXT fails at import with a RangeError that names the choices', () => {
    const entry = fileURLToPath(new URL('../../../../packages/core/src/index.ts', import.meta.url));
    const script = `try { await import(${JSON.stringify(entry)}); console.log('imported'); } catch (e) { console.log(e.constructor.name, e.code, e.message); }`;
    const out = execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      encoding: 'utf8',
      env: { ...process.env, SKEIN_CONTEXT: 'fast' },
    });
    expect(out).toMatch(/^RangeError ERR_SKEIN_INVALID_ENV .*"als" or "hooks"/);
  });
});
