/**
 * Memory measurements, each in a child process started with --expose-gc so that the heap
 * figures are this measurement's alone.
 */
import { fileURLToPath } from 'node:url';
import { childJson } from '../child.js';
import type { Note } from '../report.js';

function child(mode: string, n: number): Record<string, number | boolean> {
  const script = fileURLToPath(new URL('../memory/sleepers.ts', import.meta.url));
  return childJson(['--expose-gc', '--max-old-space-size=8192', '--import', 'tsx', script, mode, String(n)]);
}

/** Heap per idle sleeping task, and a million concurrent sleepers. */
export function memoryNotes(log: (line: string) => void, quick: boolean): Note[] {
  const idle = child('idle', quick ? 20_000 : 100_000);
  log(`  idle sleepers: ${JSON.stringify(idle)}`);
  const m = child('million', quick ? 100_000 : 1_000_000);
  log(`  1M sleepers: ${JSON.stringify(m)}`);
  const per = idle.skeinBytesPerTask as number;
  const bytes = m.peakHeapBytes as number;
  return [
    {
      name: `heap per idle sleeping task (${idle.tasks} tasks)`,
      figure: `${per.toFixed(0)} B (raw async fn + setTimeout: ${(idle.rawBytesPerTask as number).toFixed(0)} B)`,
      target: '≤ 1 KB',
      met: per <= 1024,
    },
    {
      name: `${m.tasks} concurrent sleepers: peak heap`,
      figure: `${(bytes / 2 ** 20).toFixed(0)} MiB = ${(bytes / 1e9).toFixed(3)} GB (${(m.bytesPerTask as number).toFixed(0)} B/task), woke in ${((m.wallMs as number) / 1000).toFixed(1)} s`,
      target: '< 1 GiB',
      met: bytes < 2 ** 30,
    },
    {
      name: `${m.tasks} sleepers woke in deadline order`,
      figure: String(m.inDeadlineOrder && m.allWoke),
      target: 'true',
      met: m.inDeadlineOrder === true && m.allWoke === true,
    },
  ];
}
