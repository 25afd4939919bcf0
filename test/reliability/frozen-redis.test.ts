/**
 * S7: cached_db in front of SQLite, with its private redis-server frozen (SIGSTOP: connections
 * are accepted, nothing answers). The requests must fall back to the database as they do with a
 * dead Redis: no 503s, and no slower than the dead case beyond one cache budget (≤ 250 ms).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { captureLogs } from '../helpers/log-capture.js';
import { type FaultApp, startFaultApp, timed } from './fault-app.js';
import { type OwnRedis, startOwnRedis } from './own-services.js';

let redis: OwnRedis;
let app: FaultApp;
let logs: ReturnType<typeof captureLogs>;

beforeAll(async () => {
  redis = await startOwnRedis();
  logs = captureLogs();
  app = await startFaultApp({
    SESSION_ENGINE: 'cached_db',
    SESSION_STORE_TIMEOUT_MS: 1000,
    CACHES: { default: { BACKEND: 'redis', LOCATION: redis.url } },
    DATABASE_URL: `sqlite:${join(mkdtempSync(join(tmpdir(), 'sessionscope-s7-')), 'db.sqlite3')}`,
  });
});
afterAll(async () => {
  redis?.thaw();
  await app?.close();
  logs?.stop();
  await redis?.stop();
});

/** 10 reads and writes in turn; their statuses and total time. */
async function burst(cookie: string): Promise<{ statuses: number[]; totalMs: number; slowestMs: number }> {
  const statuses: number[] = [];
  let totalMs = 0;
  let slowestMs = 0;
  for (let i = 0; i < 10; i++) {
    const reply = await timed(`${app.http.url}/${i % 2 ? 'write' : 'read'}`, cookie);
    statuses.push(reply.status);
    totalMs += reply.ms;
    slowestMs = Math.max(slowestMs, reply.ms);
  }
  return { statuses, totalMs, slowestMs };
}

describe('S7 cached_db with a frozen Redis', () => {
  it('S7 a frozen Redis falls back to the database no slower than a dead one: no 503s', async () => {
    const first = await timed(`${app.http.url}/write`);
    expect(first.status).toBe(200);
    const cookie = first.cookie as string;

    await redis.kill();
    const dead = await burst(cookie);
    expect(dead.statuses.every((status) => status === 200)).toBe(true);
    await redis.start();
    await new Promise((resolve) => setTimeout(resolve, 700)); // reconnect backoff is at most 500 ms
    expect((await timed(`${app.http.url}/read`, cookie)).status).toBe(200);

    redis.freeze();
    try {
      const frozen = await burst(cookie);
      expect(frozen.statuses).toEqual(Array(10).fill(200));
      // One cache budget (at most 250 ms) to notice the freeze, then the database only.
      expect(frozen.totalMs).toBeLessThan(dead.totalMs + 600);
      expect(frozen.slowestMs).toBeLessThan(800);
    } finally {
      redis.thaw();
    }
    // The cache is back: the value the database holds is what is read.
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const after = await timed(`${app.http.url}/read`, cookie);
    expect(after.status).toBe(200);
    expect(after.body).toBe('11'); // 1 + 5 writes while dead + 5 while frozen: no stale cached copy
  });
});
