/**
 * `npm pack` as a release would run it, on a clean copy of the working tree (tracked and
 * unignored files, the clone's node_modules linked in), with stale build output planted in dist/
 * first: prepack must rebuild dist/ from scratch, so the list cannot depend on what was built
 * before. Packing a copy also leaves this checkout's dist/ alone for the e2e suites running
 * beside this one.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';

export const REPO = resolve(import.meta.dirname, '../..');

export interface Packed {
  tarball: string;
  files: string[];
  /** Bytes of the .tgz and of its unpacked contents, as npm reports them. */
  size: number;
  unpackedSize: number;
  /** The working-tree files the tarball was packed from. */
  sources: string[];
  dir: string;
  cleanup(): void;
}

/** Files a clean clone would have (with this checkout's uncommitted edits). */
function workingTreeFiles(): string[] {
  const out = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], {
    cwd: REPO,
    encoding: 'utf8',
  });
  return out.split('\0').filter((path) => path && !path.startsWith('node_modules/'));
}

export function packTarball(): Packed {
  const dir = mkdtempSync(join(tmpdir(), 'sessionscope-pack-'));
  const clone = join(dir, 'clone');
  const sources = workingTreeFiles();
  for (const path of sources) {
    mkdirSync(dirname(join(clone, path)), { recursive: true });
    try {
      cpSync(join(REPO, path), join(clone, path));
    } catch {
      // Deleted in the working tree but still tracked: a clean clone of this state lacks it too.
    }
  }
  symlinkSync(join(REPO, 'node_modules'), join(clone, 'node_modules'));
  // Leftovers a previous build could have left: none may reach the tarball.
  mkdirSync(join(clone, 'dist/server-agent/gone'), { recursive: true });
  writeFileSync(join(clone, 'dist/server-agent/gone/removed-module.js'), 'export {};\n');
  mkdirSync(join(clone, 'dist/inspector/assets'), { recursive: true });
  writeFileSync(join(clone, 'dist/inspector/assets/stale-0000.js'), '\n');
  const out = execFileSync('npm', ['pack', '--json', '--pack-destination', dir], {
    cwd: clone,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, npm_config_loglevel: 'error' },
  });
  const [info] = JSON.parse(out.slice(out.indexOf('['))) as {
    filename: string;
    size: number;
    unpackedSize: number;
    files: { path: string }[];
  }[];
  if (!info) throw new Error(`npm pack printed no result: ${out}`);
  return {
    tarball: join(dir, info.filename),
    files: info.files.map((file) => file.path).sort(),
    size: info.size,
    unpackedSize: info.unpackedSize,
    sources,
    dir,
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/**
 * The rules the packed list must satisfy, derived from the sources so that adding a module does
 * not need a list edit: one .js, .d.ts and .js.map per server-agent module and nothing else
 * there; the inspector page and its assets; the unpacked Chrome extension; both zips; the bin,
 * LICENSE, README and package.json. Returns what breaks the rules (empty when the list is right).
 */
export function packedListProblems(files: readonly string[], tree: readonly string[]): string[] {
  const problems: string[] = [];
  const sources = tree.filter((path) => /^server-agent\/.*\.c?ts$/.test(path));
  const expected = new Set<string>(['package.json', 'README.md', 'LICENSE', 'bin/sessionscope.js']);
  for (const source of sources) {
    const base = `dist/${source.replace(/\.c?ts$/, '')}`;
    const [js, dts] = source.endsWith('.cts') ? ['.cjs', '.d.cts'] : ['.js', '.d.ts'];
    for (const suffix of [js, dts, `${js}.map`]) expected.add(base + suffix);
  }
  expected.add('dist/sessionscope-chrome.zip');
  expected.add('dist/sessionscope-firefox.zip');
  expected.add('dist/inspector/index.html');
  expected.add('dist/extension/manifest.json');
  const allowed = [/^dist\/inspector\/assets\/[\w.-]+-[\w-]{8}\.(js|css)$/, /^dist\/extension\//];
  for (const file of files) {
    if (expected.has(file)) continue;
    if (allowed.some((rule) => rule.test(file))) continue;
    problems.push(`unexpected in the tarball: ${file}`);
  }
  for (const file of expected) if (!files.includes(file)) problems.push(`missing from the tarball: ${file}`);
  if (!files.some((file) => /^dist\/inspector\/assets\/.+\.js$/.test(file)))
    problems.push('missing from the tarball: the inspector script');
  for (const needed of ['dist/extension/extension/background.js', 'dist/extension/extension/panel.html'])
    if (!files.includes(needed)) problems.push(`missing from the tarball: ${needed}`);
  return problems;
}
