/**
 * Runs N writers on one session spread over K real processes (cas-writer-child.ts) and counts
 * the writers' keys that survived: the multi-process lost-update measurement behind the CAS tests
 * and bench/cas.ts.
 */
import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { createSessionManager, type SessionManagerOptions } from '../../server-agent/sessions/manager.js';
import type { WriterConfig, WriterResult } from './cas-writer-child.js';

let bundled: Promise<string> | null = null;
/** Bundled once, so each child starts in tens of ms rather than a TypeScript loader's ~0.5 s. */
function bundle(): Promise<string> {
  bundled ??= (async () => {
    const dir = join(tmpdir(), `sessionscope-cas-${process.pid}`);
    mkdirSync(dir, { recursive: true });
    const outfile = join(dir, 'cas-writer-child.mjs');
    await build({
      entryPoints: [join(import.meta.dirname, 'cas-writer-child.ts')],
      bundle: true,
      platform: 'node',
      format: 'esm',
      packages: 'external',
      outfile,
      logLevel: 'silent',
      // External packages resolve from the repository, not the temp folder.
      nodePaths: [join(import.meta.dirname, '../../node_modules')],
    });
    return outfile;
  })();
  return bundled;
}

export interface RaceOptions {
  settings: SessionManagerOptions;
  writers: number;
  processes: number;
  watch?: boolean;
  jitterMs?: number;
}

export interface RaceResult {
  lost: number;
  lostKeys: string[];
  /** Keys named by a store-detected session.conflict event, in any process. */
  reportedKeys: string[];
  gaveUp: number;
  saveMs: number[];
  cpuMicrosPerSave: number;
  pids: number[];
}

function child(
  file: string,
  config: WriterConfig,
): { ready: Promise<void>; go(): void; done: Promise<WriterResult> } {
  const proc = spawn(process.execPath, [file], {
    env: {
      ...process.env,
      CAS_CONFIG: JSON.stringify(config),
      NODE_PATH: join(import.meta.dirname, '../../node_modules'),
    },
    stdio: ['pipe', 'pipe', 'pipe'],
    cwd: join(import.meta.dirname, '../..'),
  });
  let out = '';
  let err = '';
  let onReady: () => void = () => undefined;
  const ready = new Promise<void>((resolve) => {
    onReady = resolve;
  });
  proc.stdout.on('data', (chunk) => {
    out += chunk;
    if (out.startsWith('ready\n')) onReady();
  });
  proc.stderr.on('data', (chunk) => {
    err += chunk;
  });
  const done = new Promise<WriterResult>((resolve, reject) => {
    proc.once('exit', (code) => {
      const line = out.split('\n').find((l) => l.startsWith('{'));
      if (code === 0 && line) resolve(JSON.parse(line) as WriterResult);
      else reject(new Error(`writer process exited with ${code}: ${err.slice(0, 2000)}`));
    });
  });
  return { ready, go: () => proc.stdin.write('go\n'), done };
}

export async function race(options: RaceOptions): Promise<RaceResult> {
  const file = await bundle();
  const sessions = createSessionManager(options.settings);
  try {
    const seed = sessions.open();
    await seed.set('base', 1);
    await seed.save();
    const key = seed.sessionKey as string;
    const ids = Array.from({ length: options.writers }, (_, i) => i);
    const children = Array.from({ length: options.processes }, (_, p) =>
      child(file, {
        settings: options.settings,
        key,
        writers: ids.filter((id) => id % options.processes === p),
        watch: options.watch ?? false,
        jitterMs: options.jitterMs ?? 5,
      }),
    );
    await Promise.all(children.map((c) => c.ready));
    for (const c of children) c.go();
    const results = await Promise.all(children.map((c) => c.done));
    const stored = sessions.open(key);
    const lostKeys: string[] = [];
    for (const id of ids) if (!(await stored.has(`w${id}`))) lostKeys.push(`w${id}`);
    const saveMs = results.flatMap((r) => r.saveMs);
    return {
      lost: lostKeys.length,
      lostKeys,
      reportedKeys: [...new Set(results.flatMap((r) => r.conflictKeys))],
      gaveUp: results.reduce((sum, r) => sum + r.gaveUp, 0),
      saveMs,
      cpuMicrosPerSave: results.reduce((sum, r) => sum + r.cpuMicros, 0) / Math.max(1, saveMs.length),
      pids: results.map((r) => r.pid),
    };
  } finally {
    await sessions.close();
  }
}
