/**
 * Stable pairing across restarts, with real processes: a development app (fixtures/dev-app.ts)
 * started in a folder of its own, stopped and started again as `tsx watch` would, the real
 * `sessionscope token rotate` command in between, and a token file with bad permissions.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TOKEN_PROTOCOL_PREFIX, DOCTOR_TOKEN_HEADER } from '../../server-agent/agent/protocol.js';
import { Client } from './harness.js';

const repo = process.cwd();
const tsx = pathToFileURL(resolve(repo, 'node_modules/tsx/dist/loader.mjs')).href;
const app = resolve(repo, 'test/agent/fixtures/dev-app.ts');
const cli = pathToFileURL(resolve(repo, 'server-agent/cli.ts')).href;
const env = { ...process.env, NODE_ENV: 'development' };

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'sessionscope-restart-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Running {
  child: ChildProcess;
  url: URL;
  token: string;
  line: string;
}

/** Starts the app in `dir`; resolves with its start-up line, or rejects with what it printed. */
function startApp(): Promise<Running> {
  const child = spawn(process.execPath, ['--import', tsx, app], {
    cwd: dir,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  return new Promise((resolvePromise, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`no start-up line: ${output}`));
    }, 20_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /sessionscope inspector: (\S+).*$/m.exec(output);
      if (match) {
        clearTimeout(timer);
        const url = new URL(match[1]!);
        resolvePromise({ child, url, token: url.hash.replace('#token=', ''), line: match[0] });
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(Object.assign(new Error(output), { exitCode: code }));
    });
  });
}

async function stop(running: Running): Promise<void> {
  if (running.child.exitCode !== null) return;
  const exited = new Promise((r) => running.child.once('exit', r));
  running.child.kill('SIGTERM');
  await exited;
}

function runCli(args: string[]): Promise<{ code: number | null; out: string }> {
  const child = spawn(
    process.execPath,
    [
      '--import',
      tsx,
      '-e',
      `import(${JSON.stringify(cli)}).then(async (m) => { process.exitCode = await m.main(process.argv.slice(1)); })`,
      '--',
      ...args,
    ],
    { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr.on('data', (c: Buffer) => (out += c.toString()));
  return new Promise((r) => child.once('exit', (code) => r({ code, out })));
}

/** The doctor's GET: what the agent says about a token, without opening a socket. */
async function doctor(running: Running, token: string): Promise<{ ok: boolean; code?: string }> {
  const response = await fetch(new URL('/__sessionscope/ws', running.url.origin), {
    headers: { [DOCTOR_TOKEN_HEADER]: TOKEN_PROTOCOL_PREFIX + token },
  });
  return (await response.json()) as { ok: boolean; code?: string };
}

const wsUrl = (running: Running) => `ws://${running.url.host}/__sessionscope/ws`;
const tokenFile = () => join(dir, '.sessionscope', 'agent-token');

describe.skipIf(process.platform === 'win32')(
  'agent token across restarts (development)',
  { timeout: 60_000 },
  () => {
    let firstToken = '';

    it('TR-1 a restart keeps the token, so a paired client reconnects with it', async () => {
      const first = await startApp();
      try {
        expect(first.line).toContain('(token kept in .sessionscope/agent-token across restarts');
        expect(statSync(tokenFile()).mode & 0o777).toBe(0o600);
        const client = await Client.ready(wsUrl(first), first.token);
        await client.close();
      } finally {
        await stop(first);
      }
      firstToken = first.token;
      const second = await startApp();
      try {
        expect(second.token).toBe(first.token);
        const client = await Client.ready(wsUrl(second), first.token);
        await client.close();
      } finally {
        await stop(second);
      }
    });

    it('TR-2 `sessionscope token rotate` gives the next start a new token; the old one is refused', async () => {
      const rotated = await runCli(['token', 'rotate']);
      expect(rotated.code).toBe(0);
      expect(rotated.out).toMatch(/New agent token written to .*agent-token \(mode 0600\)\. Restart the app/);
      expect(rotated.out).not.toContain(firstToken);
      const next = await startApp();
      try {
        expect(next.token).not.toBe(firstToken);
        expect(await doctor(next, firstToken)).toMatchObject({ ok: false, code: 'token' });
        expect(await doctor(next, next.token)).toMatchObject({ ok: true });
        expect(statSync(tokenFile()).mode & 0o777).toBe(0o600);
      } finally {
        await stop(next);
      }
      expect((await runCli(['token', 'check'])).out).toMatch(/a usable token/);
    });

    it('TR-3 a token file others can read stops the start with the fix; rotate repairs it', async () => {
      chmodSync(tokenFile(), 0o644);
      const refused = await startApp().then(
        () => null,
        (error: Error & { exitCode?: number }) => error,
      );
      expect(refused?.exitCode).toBe(3);
      expect(refused?.message).toMatch(
        /mode 0644\); it must be 0600\. Run `chmod 600 \.sessionscope\/agent-token`/,
      );
      const check = await runCli(['token', 'check']);
      expect(check.code).toBe(1);
      expect(check.out).toMatch(/\[SESSION_AGENT_REFUSED\]/);
      expect((await runCli(['token', 'rotate'])).code).toBe(0);
      const repaired = await startApp();
      await stop(repaired);
    });

    it('TR-4 a malformed token file stops the start, naming the rotate command', async () => {
      writeFileSync(tokenFile(), 'not a token\n', { mode: 0o600 });
      const refused = await startApp().then(
        () => null,
        (error: Error & { exitCode?: number }) => error,
      );
      expect(refused?.exitCode).toBe(3);
      expect(refused?.message).toMatch(/does not hold a token .*Run `npx sessionscope token rotate`/);
    });

    it('TR-5 under NODE_ENV=test nothing is written: a fresh token per process', async () => {
      rmSync(join(dir, '.sessionscope'), { recursive: true, force: true });
      env.NODE_ENV = 'test';
      try {
        const one = await startApp();
        await stop(one);
        const two = await startApp();
        await stop(two);
        expect(two.token).not.toBe(one.token);
        expect(one.line).not.toContain('token kept');
        expect(() => statSync(join(dir, '.sessionscope'))).toThrow();
      } finally {
        env.NODE_ENV = 'development';
      }
    });
  },
);
