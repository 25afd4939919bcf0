/**
 * S3: another process holding the SQLite write lock (BEGIN IMMEDIATE, as a Django app or the
 * sqlite3 shell does) must not freeze this process: busy_timeout is 0 and the store retries
 * asynchronously until SESSION_STORE_TIMEOUT_MS, then answers 503. A route that never touches
 * the session stays fast meanwhile (asserted loosely; the figure lives in bench/sqlite-lock.ts).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startFaultApp } from './fault-app.js';
import { send } from '../helpers/http.js';
import { captureLogs } from '../helpers/log-capture.js';

const holders: ChildProcess[] = [];
afterEach(() => {
  for (const child of holders.splice(0)) child.kill('SIGKILL');
});

/** A second process holding the write lock on `file`; resolves once it has it. */
function holdLock(file: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, [join(import.meta.dirname, 'sqlite-lock-holder.cjs'), file], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  holders.push(child);
  return new Promise((resolve, reject) => {
    child.stdout?.once('data', () => resolve(child));
    child.once('exit', (code) => reject(new Error(`lock holder exited (${code})`)));
  });
}

describe('S3 SQLite lock held by another process', () => {
  it('S3 the event loop is not blocked: /plain stays fast while a session write waits for the lock, which answers 503 after the store timeout', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sessionscope-s3-'));
    const file = join(dir, 'db.sqlite3');
    const logs = captureLogs();
    const app = await startFaultApp({ DATABASE_URL: file, SESSION_STORE_TIMEOUT_MS: 1500 });
    try {
      const first = await send(`${app.http.url}/write`);
      const cookie = `sessionid=${first.cookie('sessionid')?.value}`;
      const holder = await holdLock(file);
      const started = performance.now();
      const write = send(`${app.http.url}/write`, { cookie }).then((reply) => ({
        status: reply.status,
        ms: performance.now() - started,
      }));
      // While the write waits for the lock, an untouched route answers.
      await new Promise((resolve) => setTimeout(resolve, 100));
      const plains: number[] = [];
      for (let i = 0; i < 5; i++) {
        const t = performance.now();
        expect((await send(`${app.http.url}/plain`)).status).toBe(200);
        plains.push(performance.now() - t);
      }
      expect(Math.max(...plains)).toBeLessThan(500);
      // The app runs in this process: had the write blocked the event loop for the lock, the
      // 100 ms timer above would only have fired after it (busy_timeout was 5 s).
      expect(performance.now() - started).toBeLessThan(2500);
      const answered = await write;
      expect(answered.status).toBe(503);
      expect(answered.ms).toBeGreaterThanOrEqual(1400);
      // Once the other process lets go, writes work again and nothing was lost.
      holder.kill('SIGKILL');
      await new Promise((resolve) => holder.once('exit', resolve));
      const after = await send(`${app.http.url}/write`, { cookie });
      expect([after.status, after.body]).toEqual([200, '2']);
    } finally {
      logs.stop();
      await app.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('S3 a lock released within the store timeout is waited for: the write lands', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sessionscope-s3-'));
    const file = join(dir, 'db.sqlite3');
    const app = await startFaultApp({ DATABASE_URL: file, SESSION_STORE_TIMEOUT_MS: 3000 });
    try {
      const first = await send(`${app.http.url}/write`);
      const cookie = `sessionid=${first.cookie('sessionid')?.value}`;
      const holder = await holdLock(file);
      setTimeout(() => holder.kill('SIGKILL'), 300);
      const reply = await send(`${app.http.url}/write`, { cookie });
      expect([reply.status, reply.body]).toEqual([200, '2']);
    } finally {
      await app.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
