/**
 * Writes benchmark results: `results/<tag>.json` (everything, with the machine), a
 * markdown table in `results/<tag>.md`, and the same table into benchmarks/README.md
 * between the `<!-- bench-<tag>:start -->` / `<!-- bench-<tag>:end -->` markers. The tag
 * names the Node the run used: `node24`, `node26`.
 */
import { readFileSync, writeFileSync, mkdirSync, existsSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { fmt, type BenchResult } from './harness.js';

/** Extra figures that aren't throughput comparisons (memory, latency). */
export interface Note {
  readonly name: string;
  readonly figure: string;
  readonly target?: string;
  readonly met?: boolean;
}

/** The machine line quoted with every table. */
export function machine(): string {
  const c = cpus();
  return `${c.length} × ${c[0]?.model.trim() ?? 'unknown CPU'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, ${process.platform}/${process.arch}`;
}

/** A bench's target, checked against its figure (see `Bench.target`). */
function targetNote(r: BenchResult): Note[] {
  const t = r.target;
  if (t === undefined) return [];
  const f =
    t.contender !== undefined
      ? r.figures.find((x) => x.name === t.contender)
      : r.figures.find((x) => x.name.startsWith('skein'));
  if (f === undefined) return [];
  const ratio = t.kind === 'ratio-min';
  const figure = ratio ? `${f.ratio.toFixed(2)}× ${r.baseline}` : `${fmt(f.opsPerSec)} ${r.unit}`;
  return [{ name: `${r.name}: ${f.name}`, figure, target: t.note, met: (ratio ? f.ratio : f.opsPerSec) >= t.value }];
}

/** One suite's table, headed by the machine and time of that suite's own run. */
function table(results: readonly BenchResult[], notes: readonly Note[], machineLine: string, date: string): string {
  const lines = [
    `Machine: ${machineLine}. Run: ${date.slice(0, 16).replace('T', ' ')} UTC.`,
    '',
    '| bench | what | contender | throughput | × baseline |',
    '| --- | --- | --- | ---: | ---: |',
  ];
  for (const r of results) {
    for (const f of r.figures) {
      const isBase = f.name === r.baseline;
      lines.push(
        `| ${r.name} | ${r.description} | ${f.name}${isBase ? ' (baseline)' : ''} | ${fmt(f.opsPerSec)} ${r.unit} | ${f.ratio.toFixed(2)} |`,
      );
    }
  }
  const all = [...results.flatMap(targetNote), ...notes];
  if (all.length > 0) {
    lines.push('', '| measurement | result | target |', '| --- | --- | --- |');
    for (const n of all)
      lines.push(`| ${n.name} | ${n.figure} | ${n.target ?? ''}${n.met === undefined ? '' : n.met ? ' ✅' : ' ❌'} |`);
  }
  return lines.join('\n');
}

/** Every checked figure of one `<tag>.json`: the targets of its benches and its notes. */
function targetRows(dir: URL, tag: string): Note[] {
  const path = new URL(`${tag}.json`, dir);
  if (!existsSync(path)) return [];
  const all: Record<string, { results: BenchResult[]; notes: Note[] }> = JSON.parse(readFileSync(path, 'utf8'));
  return Object.values(all).flatMap((x) => [
    ...x.results.flatMap(targetNote),
    ...x.notes.filter((n) => n.target !== undefined),
  ]);
}

/**
 * The headline table for the top-level README: each figure that has a target, for each of
 * the Nodes performance is judged on, side by side.
 */
export function summaryTable(dir: URL, tags: readonly string[]): string {
  const byName = new Map<string, { target: string; cells: Map<string, string> }>();
  for (const tag of tags) {
    for (const n of targetRows(dir, tag)) {
      const row = byName.get(n.name) ?? { target: n.target ?? '', cells: new Map<string, string>() };
      row.cells.set(tag, `${n.figure}${n.met === undefined ? '' : n.met ? ' ✅' : ' ❌'}`);
      byName.set(n.name, row);
    }
  }
  const head = tags.map((t) => t.replace(/^node/, 'Node '));
  const lines = [`| figure | ${head.join(' | ')} | target |`, `| --- | ${tags.map(() => '---').join(' | ')} | --- |`];
  for (const [name, row] of byName)
    lines.push(`| ${name} | ${tags.map((t) => row.cells.get(t) ?? '').join(' | ')} | ${row.target} |`);
  return lines.join('\n');
}

/** Merge this run's suites into `<tag>.json` (other suites keep their last results). */
export function writeResults(
  dir: URL,
  tag: string,
  suite: string,
  results: readonly BenchResult[],
  notes: readonly Note[],
): string {
  mkdirSync(dir, { recursive: true });
  const jsonPath = new URL(`${tag}.json`, dir);
  const all: Record<string, unknown> = existsSync(jsonPath) ? JSON.parse(readFileSync(jsonPath, 'utf8')) : {};
  all[suite] = { machine: machine(), date: new Date().toISOString(), results, notes };
  writeFileSync(jsonPath, `${JSON.stringify(all, null, 2)}\n`);
  return writeMarkdown(dir, tag);
}

/** Render `<tag>.json` into `<tag>.md`, each suite under its own run's machine and time. */
export function writeMarkdown(dir: URL, tag: string): string {
  const all: Record<string, unknown> = JSON.parse(readFileSync(new URL(`${tag}.json`, dir), 'utf8'));
  const md = Object.entries(all)
    .map(([name, s]) => {
      const x = s as { results: BenchResult[]; notes: Note[]; machine: string; date: string };
      return `### ${name}\n\n${table(x.results, x.notes, x.machine, x.date)}\n`;
    })
    .join('\n');
  writeFileSync(new URL(`${tag}.md`, dir), md);
  return md;
}

/** Replace the bench section for `tag` in a README with `md`. */
export function updateReadme(readme: URL, tag: string, md: string): void {
  if (!existsSync(readme)) return;
  const text = readFileSync(readme, 'utf8');
  const marker = `bench-${tag}`;
  const start = `<!-- ${marker}:start -->`;
  const end = `<!-- ${marker}:end -->`;
  const i = text.indexOf(start);
  const j = text.indexOf(end);
  if (i < 0 || j < 0) return;
  writeFileSync(readme, `${text.slice(0, i + start.length)}\n${md}\n${text.slice(j)}`);
}
