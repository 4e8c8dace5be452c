/**
 * A horizontal bar chart as SVG, for the README: throughput by contender for chosen
 * benches. Plain SVG text, so it renders on GitHub and needs no browser or native module.
 */
import { writeFileSync } from 'node:fs';
import { fmt, type BenchResult } from './harness.js';

const WIDTH = 760;
const BAR_H = 22;
const GAP = 6;
const LABEL_W = 230;
const VALUE_W = 150;

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Write one panel per bench, bars scaled to that bench's fastest contender. */
export function writeChart(file: URL, title: string, results: readonly BenchResult[]): void {
  const parts: string[] = [];
  let y = 40;
  parts.push(`<text x="12" y="24" font-size="16" font-weight="bold">${esc(title)}</text>`);
  for (const r of results) {
    parts.push(
      `<text x="12" y="${y + 14}" font-size="13" font-weight="bold">${esc(`${r.name}: ${r.description}`)}</text>`,
    );
    y += 24;
    const max = Math.max(...r.figures.map((f) => f.opsPerSec));
    for (const f of r.figures) {
      const w = Math.max(1, ((WIDTH - LABEL_W - VALUE_W - 24) * f.opsPerSec) / max);
      const skein = f.name.startsWith('skein');
      parts.push(`<text x="${LABEL_W}" y="${y + 15}" font-size="12" text-anchor="end">${esc(f.name)}</text>`);
      parts.push(
        `<rect x="${LABEL_W + 8}" y="${y}" width="${w.toFixed(1)}" height="${BAR_H}" fill="${skein ? '#2f6fdd' : '#9aa4b2'}"/>`,
      );
      parts.push(
        `<text x="${(LABEL_W + 14 + w).toFixed(1)}" y="${y + 15}" font-size="12">${esc(`${fmt(f.opsPerSec)} ${r.unit} (${f.ratio.toFixed(2)}×)`)}</text>`,
      );
      y += BAR_H + GAP;
    }
    y += 16;
  }
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${y}" font-family="sans-serif">\n<rect width="100%" height="100%" fill="white"/>\n${parts.join('\n')}\n</svg>\n`;
  writeFileSync(file, svg);
}
