/**
 * `npm pack` / `npm publish` run this (the `prepack` script): everything the package ships is
 * rebuilt from source into an emptied dist/, so the packed file list is the same whatever was
 * built, half-built or left over before, and whatever NODE_ENV the packing shell has. Steps: the
 * library (tsc, .js + .d.ts + maps with their sources inlined), the inspector page the agent
 * serves, the Chrome extension (unpacked, with its pinned key) and the Chrome and Firefox zips.
 */
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const bin = (name: string) => resolve(root, 'node_modules', '.bin', name);
// NODE_ENV pinned: Vite honours an inherited one, and NODE_ENV=test (Vitest's, so the smoke test's
// pack) built development bundles of the panel and the inspector (+17 KB each, other hashes).
const env = { ...process.env, NODE_ENV: 'production' };
const run = (command: string, args: string[]) =>
  execFileSync(command, args, { cwd: root, env, stdio: ['ignore', 'ignore', 'inherit'] });

rmSync(resolve(root, 'dist'), { recursive: true, force: true });
run(bin('tsc'), ['-p', 'tsconfig.build.json']);
run(bin('vite'), ['build', '--logLevel', 'warn']);
run(bin('vite'), ['build', '--mode', 'inspector', '--logLevel', 'warn']);
run(bin('tsx'), ['scripts/package-extension.ts']);
process.stderr.write('prepack: dist/ rebuilt (library, inspector, extension, zips)\n');
