/**
 * `npm run mutate [group…] [--unit|--full]`: StrykerJS over the groups of stryker.config.mjs, one
 * bounded run per group and pass (default: all groups, both passes), then the mutation score per
 * file from the JSON reports.
 * MUTATE_CONCURRENCY=2 uses two test runners; MUTATE_FILES=a.ts,b.ts narrows one group's run.
 * Not part of CI: the results and the survivors' triage live in docs/testing.md.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';

const ALL = ['signing', 'session', 'http', 'agent'];
const args = process.argv.slice(2);
const groups = args.filter((arg) => !arg.startsWith('--'));
if (groups.length === 0) groups.push(...ALL);
// --unit: the fast pass only; --full: the integration pass only (re-tests the unit pass's survivors).
const passes = args.includes('--unit') ? ['unit'] : args.includes('--full') ? ['full'] : ['unit', 'full'];

interface Report {
  files: Record<string, { mutants: { status: string }[] }>;
}

const DETECTED = new Set(['Killed', 'Timeout']);
const UNDETECTED = new Set(['Survived', 'NoCoverage']);

let failed = false;
for (const group of groups) {
  if (!ALL.includes(group)) {
    process.stderr.write(`Unknown group "${group}": use one of ${ALL.join(', ')}.\n`);
    process.exit(2);
  }
  for (const pass of passes) {
    process.stdout.write(`\n=== mutation group ${group}, pass ${pass} ===\n`);
    const run = spawnSync('npx', ['stryker', 'run', 'stryker.config.mjs'], {
      stdio: 'inherit',
      env: { ...process.env, MUTATE_GROUP: group, MUTATE_PASS: pass },
    });
    if (run.status !== 0) failed = true;
  }
}

process.stdout.write('\nfile                                          killed  survived  no-cov  score\n');
for (const group of groups) {
  const path = `reports/mutation/${group}.json`;
  if (!existsSync(path)) continue;
  const report = JSON.parse(readFileSync(path, 'utf8')) as Report;
  for (const [file, { mutants }] of Object.entries(report.files).sort()) {
    const count = (statuses: Set<string>) => mutants.filter((m) => statuses.has(m.status)).length;
    const detected = count(DETECTED);
    const survived = mutants.filter((m) => m.status === 'Survived').length;
    const noCoverage = mutants.filter((m) => m.status === 'NoCoverage').length;
    const valid = detected + count(UNDETECTED);
    const score = valid ? ((100 * detected) / valid).toFixed(1) : 'n/a';
    process.stdout.write(
      `${file.padEnd(46)}${String(detected).padStart(6)}${String(survived).padStart(10)}${String(noCoverage).padStart(8)}${String(score).padStart(7)}\n`,
    );
  }
}
process.exit(failed ? 1 : 0);
