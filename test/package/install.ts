/**
 * Temporary consumer apps: a folder with its own package.json, the packed tarball and the
 * framework installed as a user would (`npm install --omit=dev`, registry packages from the npm
 * cache), and helpers to start an app as a child process and read what it prints.
 */
import { type ChildProcess, execFile, execFileSync, spawn } from 'node:child_process';
import { mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

const exec = promisify(execFile);

export interface App {
  dir: string;
  write(path: string, text: string): void;
}

export async function installApp(
  root: string,
  name: string,
  tarball: string,
  deps: readonly string[],
  type: 'module' | 'commonjs' = 'module',
): Promise<App> {
  const dir = join(root, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'package.json'), `${JSON.stringify({ name, private: true, type }, null, 2)}\n`);
  await exec(
    'npm',
    [
      'install',
      '--omit=dev',
      '--no-audit',
      '--no-fund',
      '--prefer-offline',
      '--loglevel=error',
      tarball,
      ...deps,
    ],
    { cwd: dir },
  );
  return {
    dir,
    write(path, text) {
      mkdirSync(join(dir, path, '..'), { recursive: true });
      writeFileSync(join(dir, path), text);
    },
  };
}

/** Packages and bytes under node_modules (what `npm install` put on disk; symlinks not followed). */
export function installFootprint(dir: string): { packages: number; bytes: number } {
  let packages = 0;
  let bytes = 0;
  const walk = (path: string) => {
    for (const entry of readdirSync(path, { withFileTypes: true })) {
      const child = join(path, entry.name);
      if (entry.isDirectory()) walk(child);
      else if (entry.isFile()) {
        bytes += statSync(child).size;
        if (/(^|\/)node_modules\/(@[^/]+\/)?[^/@.][^/]*\/package\.json$/.test(child)) packages++;
      }
    }
  };
  walk(join(dir, 'node_modules'));
  return { packages, bytes };
}

export interface Running {
  child: ChildProcess;
  /** The first line of output that matches the pattern (apps print a JSON line with their port). */
  ready: Promise<string>;
  output(): string;
  stop(): Promise<void>;
}

export function start(
  node: string,
  args: string[],
  cwd: string,
  env: Record<string, string> = {},
  pattern: RegExp = /^\{.*\}$/,
): Running {
  const child = spawn(node, args, {
    cwd,
    env: { ...process.env, NODE_ENV: 'development', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  let settled = false;
  const ready = new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`app did not start:\n${output}`)), 20_000);
    const onData = (chunk: Buffer) => {
      output += chunk;
      if (settled) return;
      const line = output.split('\n').find((l) => pattern.test(l));
      if (line === undefined) return;
      settled = true;
      clearTimeout(timer);
      resolve(line);
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`app exited with ${code}:\n${output}`));
    });
  });
  ready.catch(() => {});
  return {
    child,
    ready,
    output: () => output,
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

/** Runs a script to completion; returns its exit code and everything it printed. */
export function runScript(
  node: string,
  args: string[],
  cwd: string,
  env: Record<string, string> = {},
): { status: number | null; output: string } {
  try {
    const output = execFileSync(node, args, {
      cwd,
      env: { ...process.env, NODE_ENV: 'development', ...env },
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    return { status: 0, output };
  } catch (error) {
    const e = error as { status: number | null; stdout?: string; stderr?: string };
    return { status: e.status, output: `${e.stdout ?? ''}${e.stderr ?? ''}` };
  }
}

/** Type-checks and compiles an app with the clone's TypeScript (strict, skipLibCheck off: its tsconfig). */
export async function compileApp(dir: string, tsc: string): Promise<void> {
  try {
    await exec(process.execPath, [tsc, '-p', 'tsconfig.json'], { cwd: dir });
  } catch (error) {
    throw new Error(`tsc failed in ${dir}:\n${(error as { stdout?: string }).stdout ?? String(error)}`);
  }
}
