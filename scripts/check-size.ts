/**
 * Bundle budget: the JavaScript the DevTools panel page loads (its entry plus every chunk it imports
 * statically) must stay under 80 KB gzip. Run after `npm run build:ui`; exits 1 over budget.
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';

const root = resolve(import.meta.dirname, '..');
export const PANEL_BUDGET_BYTES = 80 * 1024;

/** Every JS file reachable through static imports from the scripts an HTML page loads. */
export function pageScripts(htmlPath: string): string[] {
  const html = readFileSync(htmlPath, 'utf8');
  const queue = [...html.matchAll(/<script[^>]+src="([^"]+)"/g)].map((m) =>
    resolve(dirname(htmlPath), m[1]!),
  );
  const seen = new Set<string>();
  while (queue.length) {
    const file = queue.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    const code = readFileSync(file, 'utf8');
    for (const m of code.matchAll(/(?:import|export)\s*(?:[^'"]*?from\s*)?["'](\.{1,2}\/[^"']+\.js)["']/g)) {
      queue.push(resolve(dirname(file), m[1]!));
    }
  }
  return [...seen];
}

function gzipBytes(files: string[]): number {
  return files.reduce((sum, file) => sum + gzipSync(readFileSync(file), { level: 9 }).length, 0);
}

const panelFiles = pageScripts(resolve(root, 'dist/extension/extension/panel.html'));
const panel = gzipBytes(panelFiles);
const inspectorFiles = pageScripts(resolve(root, 'dist/inspector/index.html'));
const inspector = gzipBytes(inspectorFiles);
// webextension-polyfill throws outside an extension: the inspector must never bundle it.
const polyfilled = inspectorFiles.filter((f) =>
  readFileSync(f, 'utf8').includes('only be loaded in a browser extension'),
);
if (polyfilled.length) {
  process.stderr.write(`the inspector bundle contains webextension-polyfill (${polyfilled.join(', ')})\n`);
  process.exit(1);
}
const kb = (n: number): string => `${(n / 1024).toFixed(1)} KB`;
process.stdout.write(
  `panel JS: ${kb(panel)} gzip in ${panelFiles.length} files (budget ${kb(PANEL_BUDGET_BYTES)}); inspector JS: ${kb(inspector)} gzip\n`,
);
if (panel > PANEL_BUDGET_BYTES) {
  process.stderr.write(
    `panel JS is over budget by ${kb(panel - PANEL_BUDGET_BYTES)}: trim dependencies or split code\n`,
  );
  process.exit(1);
}
