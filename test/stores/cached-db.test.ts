import { Redis } from 'ioredis';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { StoreUnavailable } from '../../server-agent/sessions/errors.js';
import { createSessionManager } from '../../server-agent/sessions/manager.js';
import { describeStore } from '../conformance/describe-store.js';
import { captureLogs } from '../helpers/log-capture.js';
import { requireService } from '../helpers/services.js';
import { startRedis } from './redis-server.js';

const SECRET_KEY = 'cached-db-secret-key';
const REDIS = 'redis://127.0.0.1:6379/4';
const PG = 'postgres://postgres@127.0.0.1:5432/test';
const redisUp = await requireService('Redis', 6379);
const pgUp = await requireService('PostgreSQL', 5432);
const run = `sscd${process.pid}${Date.now().toString(36)}`;
let n = 0;
const schemas: string[] = [];

afterAll(async () => {
  if (redisUp) {
    const raw = new Redis(REDIS);
    const keys = await raw.keys(`${run}*`);
    if (keys.length) await raw.del(...keys);
    raw.disconnect();
  }
  if (pgUp && schemas.length) {
    const client = new pg.Client({ connectionString: PG });
    await client.connect();
    await client.query(schemas.map((s) => `DROP SCHEMA IF EXISTS "${s}" CASCADE`).join('; '));
    await client.end();
  }
});

describeStore('cached_db (SQLite + memory cache)', {
  make: () => createSessionManager({ SECRET_KEY, SESSION_ENGINE: 'cached_db', DATABASE_URL: ':memory:' }),
});

describe.skipIf(!redisUp || !pgUp)('cached_db on PostgreSQL + Redis', () => {
  describeStore('cached_db (PostgreSQL + Redis)', {
    make: () => {
      const schema = `${run}_${++n}`;
      schemas.push(schema);
      return createSessionManager({
        SECRET_KEY,
        SESSION_ENGINE: 'cached_db',
        DATABASE_URL: `${PG}?schema=${schema}`,
        CACHES: { default: { BACKEND: 'redis', LOCATION: REDIS, KEY_PREFIX: schema } },
      });
    },
  });
});

describe.skipIf(!redisUp)('cached_db: the database is the source of truth', () => {
  const make = (location: string, timeout = 1000) =>
    createSessionManager({
      SECRET_KEY,
      SESSION_ENGINE: 'cached_db',
      DATABASE_URL: ':memory:',
      SESSION_STORE_TIMEOUT_MS: timeout,
      CACHES: { default: { BACKEND: 'redis', LOCATION: location, KEY_PREFIX: `${run}_t${++n}` } },
    });

  it("writes through to both, under Django's cached_db key", async () => {
    const sessions = make(REDIS);
    const raw = new Redis(REDIS);
    try {
      const s = sessions.open();
      await s.set('a', 1);
      await s.save();
      const prefix = (sessions.settings.caches.default as { KEY_PREFIX: string }).KEY_PREFIX;
      expect(await raw.exists(`${prefix}:1:django.contrib.sessions.cached_db${s.sessionKey}`)).toBe(1);
      expect(await sessions.store.exists(s.sessionKey!)).toBe(true);
      // flush removes both copies (CVE-2015-3982)
      const key = s.sessionKey!;
      await s.flush();
      expect(await raw.exists(`${prefix}:1:django.contrib.sessions.cached_db${key}`)).toBe(0);
      expect(await sessions.store.exists(key)).toBe(false);
    } finally {
      raw.disconnect();
      await sessions.close();
    }
  });

  it('cache down: reads come from the database, writes are logged and succeed; deleting fails loudly rather than leave a live copy', async () => {
    const server = await startRedis();
    const sessions = make(server.url, 500);
    const logs = captureLogs();
    try {
      const s = sessions.open();
      await s.set('a', 1);
      await s.save();
      await server.stop();
      const reader = sessions.open(s.sessionKey);
      expect(await reader.get('a')).toBe(1);
      await reader.set('a', 2);
      await reader.save();
      expect(await sessions.open(s.sessionKey).get('a')).toBe(2);
      const errors = logs.records.filter((r) => r.level === 'error' && r.message.includes('session cache'));
      expect(errors.length).toBeGreaterThanOrEqual(2);
      await expect(sessions.open(s.sessionKey).flush()).rejects.toBeInstanceOf(StoreUnavailable);
      expect(await sessions.open(s.sessionKey).get('a')).toBe(2);
    } finally {
      logs.stop();
      await sessions.close();
      await server.stop();
    }
  });

  it('a stale cache entry cannot outlive the row: a cache miss falls back to the row and refills the cache', async () => {
    const sessions = make(REDIS);
    const raw = new Redis(REDIS);
    try {
      const s = sessions.open();
      await s.set('a', 1);
      await s.save();
      const prefix = (sessions.settings.caches.default as { KEY_PREFIX: string }).KEY_PREFIX;
      const cacheKey = `${prefix}:1:django.contrib.sessions.cached_db${s.sessionKey}`;
      await raw.del(cacheKey);
      expect(await sessions.open(s.sessionKey).get('a')).toBe(1);
      expect(await raw.exists(cacheKey)).toBe(1);
      const ttl = await raw.ttl(cacheKey);
      expect(ttl).toBeGreaterThan(sessions.settings.sessionCookieAge - 5);
    } finally {
      raw.disconnect();
      await sessions.close();
    }
  });
});
