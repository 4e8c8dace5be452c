/**
 * `pnpm bench`: run benchmark suites and write results/ and the README table.
 *
 *   pnpm bench                     every suite, on Node 24 (performance is judged there)
 *   pnpm bench --node 26           the same on Node 26 (or 22), fetched with npx when the
 *                                  running Node is another major
 *   pnpm bench --suite current     one suite (current | sync | blocking | multi | shared_sync | memory | net)
 *   pnpm bench --quick             fewer rounds and smaller memory runs (CI smoke)
 *   pnpm bench --bench cpu_fib     only the named benches (with --no-write, to try a change)
 *
 * Results go to results/node<N>.{json,md} and to benchmarks/README.md's table for that
 * Node; the Node 24 run also redraws the chart the top-level README shows.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { runBench, type Bench, type BenchResult } from './harness.js';
import { summaryTable, updateReadme, writeResults, type Note } from './report.js';
import { writeChart } from './chart.js';
import { currentThreadBenches } from './suites/current_thread.js';
import { hookCostNotes } from './suites/hook_cost.js';
import { memoryNotes } from './suites/memory.js';
import { syncBenches } from './suites/sync.js';
import { blockingBenches, blockingNotes } from './suites/blocking.js';
import { multiThreadBenches } from './suites/multi_thread.js';
import { sharedSyncBenches } from './suites/shared_sync.js';
import { netBenches, netNotes } from './suites/net.js';

const { values } = parseArgs({
  options: {
    suite: { type: 'string', multiple: true },
    bench: { type: 'string', multiple: true },
    quick: { type: 'boolean', default: false },
    rounds: { type: 'string' },
    'no-write': { type: 'boolean', default: false },
    node: { type: 'string' },
  },
});

/** The Node the figures are judged on when no `--node` is given. */
const DEFAULT_NODE = '24';
const thisMajor = process.versions.node.split('.')[0]!;
const node = values.node ?? DEFAULT_NODE;
if (node !== thisMajor) {
  // Re-run this script under the requested Node; the child sees `--node` equal to its own
  // major and writes that Node's result files.
  if (!/^\d+$/.test(node)) {
    console.error(`--node takes a major version such as 24; got "${node}"`);
    process.exit(2);
  }
  const rest = process.argv
    .slice(2)
    .filter((a, i, all) => a !== '--node' && all[i - 1] !== '--node' && !a.startsWith('--node='));
  const args = [
    '-y',
    '-p',
    `node@${node}`,
    '--',
    'node',
    '--import',
    'tsx',
    fileURLToPath(import.meta.url),
    '--node',
    node,
    ...rest,
  ];
  // Started from `npx -c '…'`, this process inherits npm's `call` setting, which the
  // child npx would take as its command and reject the `--` form with EUSAGE.
  const env = { ...process.env };
  delete env.npm_config_call;
  const r = spawnSync('npx', args, { stdio: 'inherit', env });
  process.exit(r.status ?? 1);
}
/** Result files and README section of this Node: `node24` for Node 24. */
const tag = `node${node}`;

type Suite = {
  benches?: () => Bench[] | Promise<Bench[]>;
  notes?: (log: (l: string) => void, quick: boolean) => Note[] | Promise<Note[]>;
};
const suites: Record<string, Suite> = {
  current: { benches: currentThreadBenches, notes: hookCostNotes },
  sync: { benches: syncBenches },
  blocking: { benches: blockingBenches, notes: blockingNotes },
  multi: { benches: multiThreadBenches },
  shared_sync: { benches: sharedSyncBenches },
  memory: { notes: memoryNotes },
  net: { benches: () => netBenches(quick), notes: netNotes },
};

const quick = values.quick ?? false;
const rounds = Number(values.rounds ?? (quick ? 2 : 5));
const chosen = values.suite ?? Object.keys(suites);
const log = (line: string): void => console.log(line);
let md = '';
for (const name of chosen) {
  const suite = suites[name];
  if (suite === undefined) {
    console.error(`unknown suite "${name}"; choose from: ${Object.keys(suites).join(', ')}`);
    process.exit(2);
  }
  log(`== ${name}`);
  const results: BenchResult[] = [];
  for (const b of (await suite.benches?.()) ?? []) {
    if (values.bench === undefined || values.bench.includes(b.name)) results.push(await runBench(b, rounds, log));
  }
  const notes = (await suite.notes?.(log, quick)) ?? [];
  if (!values['no-write']) {
    md = writeResults(new URL('../results/', import.meta.url), tag, name, results, notes);
    if (name === 'net') {
      writeChart(
        new URL(`../results/net_${tag}.svg`, import.meta.url),
        `@skein/net vs node:http, fastify, piscina, node:net (${process.version})`,
        results,
      );
    }
    if (name === 'multi' && node === DEFAULT_NODE) {
      const charted = results.filter((r) => r.name === 'tiny_tasks' || r.name === 'cpu_fib');
      writeChart(new URL('../results/throughput.svg', import.meta.url), 'skein vs worker pools (2 threads)', charted);
    }
  }
}
if (!values['no-write'] && !quick) {
  updateReadme(new URL('../README.md', import.meta.url), tag, md);
  const summary = summaryTable(new URL('../results/', import.meta.url), ['node24', 'node26']);
  updateReadme(new URL('../../README.md', import.meta.url), 'summary', summary);
}
// A peer pool left behind by closeWithin() may still hold the event loop open.
process.exit(0);
