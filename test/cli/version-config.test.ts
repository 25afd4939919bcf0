/**
 * Issue 10 item 7 (`sessionscope --version`) and issue 12 U5 (`--config x.ts` was advertised but
 * failed). The TypeScript config is loaded by the real CLI in a plain `node` process: inside Vitest
 * every import is transformed, so an in-process test could not fail.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { build } from 'esbuild';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { main } from '../../server-agent/cli.js';

const run = promisify(execFile);
const version = (JSON.parse(readFileSync('package.json', 'utf8')) as { version: string }).version;

describe('sessionscope CLI', () => {
  afterEach(() => vi.restoreAllMocks());

  it.each([['--version'], ['-v'], ['version']])('10.7 sessionscope %s prints the version', async (flag) => {
    const out: string[] = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
      out.push(String(chunk));
      return true;
    });
    expect(await main([flag], {})).toBe(0);
    expect(out.join('')).toBe(`sessionscope ${version}\n`);
  });

  describe('U5 --config x.ts', () => {
    // Inside the repository, so the bundle finds better-sqlite3 (and tsx) in node_modules as an
    // installed sessionscope would find the app's.
    const folder = join(process.cwd(), 'node_modules', '.cache', `sessionscope-cli-${process.pid}`);
    const cli = join(folder, 'cli.mjs');
    beforeAll(async () => {
      mkdirSync(folder, { recursive: true });
      await build({
        entryPoints: ['server-agent/cli.ts'],
        bundle: true,
        platform: 'node',
        format: 'esm',
        packages: 'external',
        outfile: join(folder, 'cli-main.mjs'),
        logLevel: 'silent',
      });
      writeFileSync(
        cli,
        "import { main } from './cli-main.mjs';\nprocess.exitCode = await main(process.argv.slice(2));\n",
      );
    });
    afterAll(() => rmSync(folder, { recursive: true, force: true }));

    it('U5 --config x.ts loads a TypeScript settings module in a plain node process', async () => {
      const app = mkdtempSync(join(tmpdir(), 'sessionscope-tsconfig-'));
      const config = join(app, 'sessions.config.ts');
      writeFileSync(
        config,
        `interface Settings { SECRET_KEY: string; DATABASE_URL: string }
const settings: Settings = { SECRET_KEY: 'test-secret-key', DATABASE_URL: 'sqlite:${join(app, 'db.sqlite3')}' };
export default settings;\n`,
      );
      const { stdout } = await run(process.execPath, [cli, 'clearsessions', '--config', config, '--create'], {
        cwd: app,
        env: { ...process.env, NODE_ENV: 'test' },
      });
      expect(stdout).toContain(`Removed 0 expired sessions from 'db' (SQLite ${join(app, 'db.sqlite3')})`);
      expect(stdout).toContain(`settings from ${config}`);
    });
  });
});
