/**
 * `npm run bench`: every table of docs/benchmarks.md that a benchmark writes, one after another, each
 * in its own process (they measure CPU per process and must not share a heap or a loaded event loop).
 * The peers run inside each benchmark, in the same run as sessionscope, so every ratio compares like
 * with like. Three sections are made elsewhere and are not rerun here, because they are a different
 * kind of run: Soak (`npx tsx bench/soak.ts`, 10 minutes with Redis restarts), Fuzz (`npm run fuzz`,
 * 10^6 cases per target) and Install size (printed by the packed-tarball test, test/package).
 * BENCH_SECTIONS=codec,agent,… runs a subset; a section that fails stops the run with its name.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

interface Section {
  name: string;
  script: string;
  args?: string[];
  env?: Record<string, string>;
}

const SECTIONS: Section[] = [
  { name: 'codec', script: 'codec.ts' },
  { name: 'middleware', script: 'middleware.ts' },
  { name: 'stores', script: 'stores.ts', args: ['--write'] },
  { name: 'agent', script: 'agent.ts' },
  { name: 'agent-cost', script: 'agent-cost.ts' },
  { name: 'suite', script: 'suite.ts' },
  { name: 'cas', script: 'cas.ts', args: ['--write'] },
  { name: 'sqlite-lock', script: 'sqlite-lock.ts' },
  { name: 'scale', script: 'scale.ts' },
  { name: 'panel', script: 'panel.ts' },
  { name: 'search', script: 'search.ts', env: { BENCH_WRITE: '1' } },
];

const wanted = process.env.BENCH_SECTIONS?.split(',').map((name) => name.trim());
const unknown = wanted?.filter((name) => !SECTIONS.some((section) => section.name === name)) ?? [];
if (unknown.length) {
  process.stderr.write(
    `BENCH_SECTIONS names no benchmark: ${unknown.join(', ')}. Known: ${SECTIONS.map((s) => s.name).join(', ')}.\n`,
  );
  process.exit(2);
}

const began = performance.now();
for (const section of SECTIONS) {
  if (wanted && !wanted.includes(section.name)) continue;
  const started = performance.now();
  process.stderr.write(`\n== bench ${section.name} (bench/${section.script})\n`);
  const run = spawnSync(
    process.execPath,
    [...process.execArgv, join(import.meta.dirname, section.script), ...(section.args ?? [])],
    { stdio: 'inherit', env: { ...process.env, ...section.env } },
  );
  const seconds = ((performance.now() - started) / 1000).toFixed(0);
  if (run.status !== 0) {
    process.stderr.write(
      `bench ${section.name} failed (exit ${run.status ?? run.signal}) after ${seconds} s\n`,
    );
    process.exit(1);
  }
  process.stderr.write(`== bench ${section.name}: ${seconds} s\n`);
}
process.stderr.write(
  `\nEvery section written to docs/benchmarks.md in ${((performance.now() - began) / 60_000).toFixed(1)} min.\n`,
);
