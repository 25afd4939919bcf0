/** Writes one `## ` section of docs/benchmarks.md, leaving every other section as it is. */
import { readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';

const FILE = 'docs/benchmarks.md';

export function writeSection(heading: string, body: string): void {
  const text = readFileSync(FILE, 'utf8');
  const marker = `## ${heading}\n`;
  const start = text.indexOf(marker);
  const section = `${marker}\n${body.trim()}\n\n`;
  if (start === -1) {
    writeFileSync(FILE, `${text.trimEnd()}\n\n${section}`);
    return;
  }
  const next = text.indexOf('\n## ', start + marker.length);
  writeFileSync(FILE, text.slice(0, start) + section + (next === -1 ? '' : text.slice(next + 1)));
}

export function machineLine(): string {
  const cpu = cpus()[0]?.model ?? 'unknown CPU';
  return `${cpus().length} × ${cpu}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}, ${process.platform}/${process.arch}`;
}

export const fmt = (n: number, digits = 0) =>
  n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
export const ratio = (a: number, b: number) => (b > 0 ? `${(a / b).toFixed(2)}×` : '—');
