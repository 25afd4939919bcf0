/**
 * `sessionscope inspect` as a real child process over a SQLite file another "app" wrote: the
 * printed URL works, sessions list, an edit lands in the file the app reads, SIGTERM stops it.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { createSessions } from '../../server-agent/create.js';
import { repoModule, TSX_LOADER } from '../helpers/outside-checkout.js';
import { Client, SECRET } from './harness.js';

it('inspect serves an existing SQLite store and edits go through to it', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sessionscope-inspect-'));
  const database = join(dir, 'app.sqlite3');
  const app = createSessions({ SECRET_KEY: SECRET, SESSION_ENGINE: 'db', DATABASE_URL: database });
  const session = app.open();
  await session.set('user', 'ada');
  await session.save();
  const key = session.sessionKey!;

  const child = spawn(
    process.execPath,
    [
      '--import',
      TSX_LOADER,
      '-e',
      `import(${JSON.stringify(repoModule('server-agent/agent/inspect-command.ts'))}).then(async (m) => process.exit(await m.runInspect(process.argv.slice(1))))`,
      '--',
      '--engine',
      'db',
      '--database-url',
      database,
      '--secret-key',
      SECRET,
    ],
    {
      // The temporary folder, not the checkout: in development the command keeps its token there.
      cwd: dir,
      env: { ...process.env, NODE_ENV: 'development' },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  try {
    let output = '';
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no URL printed: ${output}`)), 15_000);
      const onData = (chunk: Buffer) => {
        output += chunk.toString();
        const match = /sessionscope inspector: (\S+)/.exec(output);
        if (match) {
          clearTimeout(timer);
          resolve(match[1]!);
        }
      };
      child.stdout.on('data', onData);
      child.stderr.on('data', (chunk: Buffer) => {
        output += chunk.toString();
      });
    });
    const parsed = new URL(url);
    const token = parsed.hash.replace('#token=', '');
    const client = await Client.ready(`ws://${parsed.host}/__sessionscope/ws`, token);
    const list = await client.ok('listSessions', {});
    expect(list.items).toHaveLength(1);
    expect(list.items[0]!.keys).toEqual(['user']);
    await client.ok('set', { session: list.items[0]!.session, key: 'role', value: 'admin' });
    const reread = app.open(key);
    expect(await reread.items()).toEqual([
      ['user', 'ada'],
      ['role', 'admin'],
    ]);
    await client.close();
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
    await app.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
