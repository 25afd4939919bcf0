/** The package's root folder (where package.json lives), from source and from dist alike. */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let cached: { root: string; version: string } | undefined;

export function packageRoot(): { root: string; version: string } {
  if (cached) return cached;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let depth = 0; depth < 6; depth++) {
    const file = join(dir, 'package.json');
    if (existsSync(file)) {
      try {
        const json = JSON.parse(readFileSync(file, 'utf8')) as { name?: string; version?: string };
        if (json.name === 'sessionscope') {
          cached = { root: dir, version: json.version ?? '0.0.0' };
          return cached;
        }
      } catch {
        // Not ours or unreadable: keep walking up.
      }
    }
    dir = dirname(dir);
  }
  cached = { root: process.cwd(), version: '0.0.0' };
  return cached;
}
