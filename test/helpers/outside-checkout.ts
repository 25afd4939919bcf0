/**
 * Child processes started outside the checkout. A development process (NODE_ENV=development)
 * keeps its agent token in `.sessionscope/agent-token` under its working directory
 * (server-agent/agent/token-file.ts), so a child started in the repository would leave that file
 * behind: these start it in a temporary folder, with tsx and the modules named by absolute URL.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const REPO = process.cwd();

/** `--import` this for TypeScript in the child (a bare `tsx` would be looked up from the child's cwd). */
export const TSX_LOADER = pathToFileURL(resolve(REPO, 'node_modules/tsx/dist/loader.mjs')).href;

/** A repository file as a path a child in another folder can run. */
export const repoPath = (path: string): string => resolve(REPO, path);

/** A repository module as a URL for `import(…)` in a child's `-e` script. */
export const repoModule = (path: string): string => pathToFileURL(repoPath(path)).href;

/** A fresh temporary folder for a child's cwd; `remove()` deletes it with what the child wrote. */
export function scratchDir(prefix: string): { path: string; remove(): void } {
  const path = mkdtempSync(join(tmpdir(), `sessionscope-${prefix}-`));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}
