/**
 * The README's code samples as programs the smoke test runs against the installed package, so a
 * README that does not run fails CI. Rules, strict on purpose (a new sample must fit one):
 * - the Express example (creates `express()` and calls `app.listen(`) runs as written;
 * - a sample that uses `app` without creating it continues the Express example in place of its
 *   `app.listen(…)` line (the agent sample);
 * - a sample made only of import lines must import (every name exists where it says);
 * - any other sample must be a complete module that type-checks under strict against the
 *   installed package (not run: such samples name services, e.g. a Redis, the test app lacks).
 */
import { readFileSync } from 'node:fs';
import { REPO } from './pack.js';

export interface ReadmePrograms {
  express: string;
  agent: string;
  imports: string[];
  typecheck: string[];
}

export function readmeSamples(): string[] {
  const readme = readFileSync(`${REPO}/README.md`, 'utf8');
  return [...readme.matchAll(/```(?:ts|js|typescript|javascript)\n([\s\S]*?)```/g)].map((m) => m[1] ?? '');
}

export function readmePrograms(samples = readmeSamples()): ReadmePrograms {
  let express: string | undefined;
  let agent: string | undefined;
  const imports: string[] = [];
  const typecheck: string[] = [];
  samples.forEach((sample, index) => {
    const code = sample.split('\n').filter((line) => line.trim() && !line.trim().startsWith('//'));
    if (code.every((line) => line.startsWith('import '))) imports.push(sample);
    else if (/\bexpress\(\)/.test(sample) && sample.includes('app.listen(')) express = sample;
    else if (/\bapp\b/.test(sample) && !/\bconst app\b/.test(sample)) {
      if (!express)
        throw new Error(`README sample ${index + 1} continues an Express example that comes later`);
      const listen = express.split('\n').findIndex((line) => line.startsWith('app.listen('));
      const lines = express.split('\n');
      lines.splice(listen, 1, sample);
      agent = lines.join('\n');
    } else if (code.some((line) => line.startsWith('import '))) {
      typecheck.push(sample);
    } else {
      throw new Error(
        `README sample ${index + 1} is neither a runnable program, a list of imports nor a complete module (see test/package/readme.ts):\n${sample}`,
      );
    }
  });
  if (!express) throw new Error('README has no runnable Express example (express() … app.listen(…))');
  if (!agent) throw new Error('README has no agent sample continuing the Express example');
  return { express, agent, imports, typecheck };
}
