/**
 * F4 cached_db on a private redis-server in front of SQLite: with the cache down, sessions are
 * served from the database; with cache writes failing (Redis out of memory), requests still
 * succeed, the failure is logged, and no stale cached copy is served afterwards; after a logout
 * neither the cache nor the database holds the key (CVE-2015-3982).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
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
    CACHES: { default: { BACKEND: 'redis', LOCATION: redis.url } },
    DATABASE_URL: `sqlite:${join(mkdtempSync(join(tmpdir(), 'sessionscope-f4-')), 'db.sqlite3')}`,
  });
});
afterAll(async () => {
  await app?.close();
  logs?.stop();
  await redis?.stop();
});

const cachedKeys = async (client: Redis) => (await client.keys('*')).length;

describe('F4 cached_db faults', () => {
  it('F4: cache down: reads and writes are served from the database; recovery after restart', async () => {
    const first = await timed(`${app.http.url}/write`);
    expect(first.status).toBe(200);
    await redis.kill();
    const write = await timed(`${app.http.url}/write`, first.cookie);
    expect(write.status).toBe(200);
    expect(write.body).toBe('2');
    const read = await timed(`${app.http.url}/read`, first.cookie);
    expect(read.body).toBe('2');
    expect(read.ms).toBeLessThan(1_000);
    expect(logs.records.some((r) => r.level === 'error' && /session cache/.test(r.message))).toBe(true);
    await redis.start();
    await new Promise((resolve) => setTimeout(resolve, 600)); // reconnect backoff is at most 500 ms
    expect((await timed(`${app.http.url}/write`, first.cookie)).body).toBe('3');
  });

  it('F4: failing cache writes (Redis OOM): the request succeeds, the error is logged, no stale copy is served later', async () => {
    const client = new Redis(redis.url);
    try {
      const first = await timed(`${app.http.url}/write`);
      expect((await timed(`${app.http.url}/read`, first.cookie)).body).toBe('1');
      await client.config('SET', 'maxmemory-policy', 'noeviction');
      await client.config('SET', 'maxmemory', '1');
      const before = logs.records.length;
      const write = await timed(`${app.http.url}/write`, first.cookie);
      expect(write.status).toBe(200);
      expect(logs.records.slice(before).some((r) => r.level === 'error')).toBe(true);
      await client.config('SET', 'maxmemory', '0');
      const read = await timed(`${app.http.url}/read`, first.cookie);
      expect(read.body).toBe('2'); // the database's value, not the stale cached "1"
    } finally {
      await client.config('SET', 'maxmemory', '0').catch(() => undefined);
      client.disconnect();
    }
  });

  it('F4 / CVE-2015-3982: after logout neither the cache nor the database holds the key', async () => {
    const client = new Redis(redis.url);
    try {
      await client.flushall();
      const first = await timed(`${app.http.url}/write`);
      const key = (first.cookie as string).slice('sessionid='.length);
      expect(await cachedKeys(client)).toBe(1);
      const session = app.sessions.open(key);
      await session.flush();
      expect(await cachedKeys(client)).toBe(0);
      expect(await app.sessions.store.exists(key)).toBe(false);
      expect((await timed(`${app.http.url}/read`, first.cookie)).body).toBe('0');
    } finally {
      client.disconnect();
    }
  });
});
