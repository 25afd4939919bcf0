/**
 * F5: the file store with its writer process SIGKILLed mid-write, 200 times. Bars: 0 corrupt
 * session files at any point (every file decodes, or is an empty create placeholder), and after
 * the store's cleanup pass 0 temp files and 0 orphaned placeholders remain.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { beforeAll, describe, expect, it } from 'vitest';
import { createSessionManager } from '../../server-agent/sessions/manager.js';
import { prng, runSeed } from './engines.js';

const KILLS = Number(process.env.F5_KILLS ?? 200);
const bundleDir = join(process.cwd(), 'node_modules', '.cache', 'sessionscope-reliability');
const bundle = join(bundleDir, 'file-writer.mjs');

beforeAll(async () => {
  // Bundled once so each of the 200 children starts in ~50 ms instead of a TypeScript loader's ~500.
  mkdirSync(bundleDir, { recursive: true });
  await build({
    entryPoints: [join(import.meta.dirname, 'file-writer-child.ts')],
    bundle: true,
    platform: 'node',
    format: 'esm',
    packages: 'external',
    outfile: bundle,
    logLevel: 'silent',
  });
});

function runAndKill(dir: string, delayMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bundle], {
      env: { ...process.env, SESSION_DIR: dir },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let errors = '';
    child.stderr.on('data', (chunk) => {
      errors += chunk;
    });
    child.stdout.once('data', () => setTimeout(() => child.kill('SIGKILL'), delayMs));
    child.once('exit', (_code, signal) =>
      signal === 'SIGKILL' ? resolve() : reject(new Error(`writer exited on its own: ${errors}`)),
    );
  });
}

describe('F5 file store writer killed mid-write', () => {
  it(`F5: ${KILLS} SIGKILLs during writes leave 0 corrupt files; cleanup leaves 0 temp files`, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sessionscope-f5-'));
    const rand = prng(runSeed('F5'));
    for (let i = 0; i < KILLS; i += 8)
      await Promise.all(
        Array.from({ length: Math.min(8, KILLS - i) }, () => runAndKill(dir, Math.floor(rand() * 25))),
      );
    const sessions = createSessionManager({
      SECRET_KEY: 'file-writer-secret-0123456789abcdef',
      SESSION_ENGINE: 'file',
      SESSION_FILE_PATH: dir,
    });
    const names = readdirSync(dir);
    const temp = names.filter((name) => name.includes('_out_'));
    const sessionFiles = names.filter((name) => name.startsWith('sessionid') && !name.includes('_out_'));
    let corrupt = 0;
    let placeholders = 0;
    for (const name of sessionFiles) {
      const text = readFileSync(join(dir, name), 'ascii');
      if (text.length === 0) placeholders++;
      else if (sessions.codec.decodeDetailed(text).problem) corrupt++;
    }
    process.stdout.write(
      `[F5] ${KILLS} kills: ${sessionFiles.length} session files, ${corrupt} corrupt, ${placeholders} empty placeholders, ${temp.length} temp files before cleanup\n`,
    );
    expect(sessionFiles.length).toBeGreaterThan(0);
    expect(corrupt).toBe(0);
    sessions.clock.travel(2 * 3600); // orphans are files older than an hour
    await sessions.clearExpired();
    const left = readdirSync(dir);
    const leftTemp = left.filter((name) => name.includes('_out_')).length;
    const leftPlaceholders = left.filter(
      (name) => !name.includes('_out_') && readFileSync(join(dir, name)).length === 0,
    ).length;
    process.stdout.write(
      `[F5] after cleanup: ${leftTemp} temp files, ${leftPlaceholders} empty placeholders\n`,
    );
    expect(leftTemp).toBe(0);
    expect(leftPlaceholders).toBe(0);
    await sessions.close();
  }, 120_000);
});
