import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

// examples/pipeline.ts runs in its own process, as a user would run it: worker tasks stream
// one result per chunk through a sharedMpsc channel to the main thread, which sees the end
// once every producer task has finished.
const root = fileURLToPath(new URL('../../../', import.meta.url));

it('examples/pipeline.ts streams every chunk from the workers and counts the primes below 200000', () => {
  const out = execFileSync(
    process.execPath,
    [
      '--import',
      'tsx',
      '--conditions=skein-source',
      `${root}examples/pipeline.ts`,
      '--below',
      '200000',
      '--chunks',
      '20',
    ],
    {
      cwd: root,
      encoding: 'utf8',
      timeout: 30_000,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, NODE_OPTIONS: '' },
    },
  );
  expect(out).toMatch(/pipeline: 20 of 20 chunks received from [12] worker thread\(s\)/);
  expect(out).toContain('primes below 200000: 17984, largest 199999');
});
