import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CreateError, StoreUnavailable, UpdateError } from '../../server-agent/sessions/errors.js';
import { createSessionManager, type SessionManager } from '../../server-agent/sessions/manager.js';
import { describeStore } from '../conformance/describe-store.js';
import { captureLogs } from '../helpers/log-capture.js';
import { requireService } from '../helpers/services.js';
import { startRedis } from './redis-server.js';

const SECRET_KEY = 'redis-cache-secret-key';
const URL_DB = 'redis://127.0.0.1:6379/3';
const available = await requireService('Redis', 6379);
const run = `ssr${process.pid}${Date.now().toString(36)}`;
let n = 0;
const caches = (prefix: string, location = URL_DB) => ({
  default: { BACKEND: 'django.core.cache.backends.redis.RedisCache', LOCATION: location, KEY_PREFIX: prefix },
});
// sessionscope's JSON value format; Django's pickle format has its own suite (cache-pickle.test.ts).
const make = (prefix = `${run}_${++n}`, extra: Record<string, unknown> = {}) =>
  createSessionManager({
    SECRET_KEY,
    SESSION_ENGINE: 'cache',
    CACHES: caches(prefix),
    SESSION_CACHE_VALUE_FORMAT: 'json',
    ...extra,
  });
const raw = available ? new Redis(URL_DB) : null;

afterAll(async () => {
  if (!raw) return;
  const keys = await raw.keys(`${run}*`);
  if (keys.length) await raw.del(...keys);
  raw.disconnect();
});

describe.skipIf(!available)('cache on Redis', () => {
  describeStore('cache (Redis)', {
    make: () => make(),
    rawExists: async (manager, key) => {
      const prefix = (manager.settings.caches.default as { KEY_PREFIX: string }).KEY_PREFIX;
      return (await raw!.exists(`${prefix}:1:django.contrib.sessions.cache${key}`)) === 1;
    },
  });

  describe('Redis specifics', () => {
    let sessions: SessionManager;
    let prefix: string;
    beforeAll(() => {
      prefix = `${run}_spec`;
      sessions = make(prefix);
    });
    afterAll(() => sessions.close());

    it("uses Django's key, <KEY_PREFIX>:<VERSION>:django.contrib.sessions.cache<key>, with a TTL from the expiry age", async () => {
      const s = sessions.open();
      await s.set('a', 1);
      await s.setExpiry(300);
      await s.save();
      const key = `${prefix}:1:django.contrib.sessions.cache${s.sessionKey}`;
      expect(await raw!.exists(key)).toBe(1);
      const ttl = await raw!.ttl(key);
      expect(ttl).toBeGreaterThan(295);
      expect(ttl).toBeLessThanOrEqual(300);
      const [expiry, json] = (await raw!.get(key))!.split('\n');
      expect(Number(expiry)).toBeGreaterThan(Date.now());
      expect(json).toBe('{"a":1,"_session_expiry":300}');
    });

    it('mustCreate is SET NX (CreateError when taken); an update is SET XX (UpdateError when gone)', async () => {
      const record = { data: new Map([['x', 1]]), expireDate: new Date(Date.now() + 60_000), ageSeconds: 60 };
      const key = 'abcdefgh12345678nxxx';
      await sessions.store.save(key, record, true);
      await expect(sessions.store.save(key, record, true)).rejects.toBeInstanceOf(CreateError);
      await sessions.store.save(key, record, false);
      await sessions.store.delete(key);
      await expect(sessions.store.save(key, record, false)).rejects.toBeInstanceOf(UpdateError);
      expect(await raw!.exists(`${prefix}:1:django.contrib.sessions.cache${key}`)).toBe(0);
    });

    it('an app writing the bare session key into the cache cannot touch the session (CR-7)', async () => {
      const s = sessions.open();
      await s.set('user', 1);
      await s.save();
      await raw!.set(s.sessionKey!, `${Date.now() + 60_000}\n{"user":999}`);
      await raw!.set(`${prefix}:1:${s.sessionKey}`, `${Date.now() + 60_000}\n{"user":999}`);
      expect(await sessions.open(s.sessionKey).get('user')).toBe(1);
      await raw!.del(s.sessionKey!);
    });

    it('a corrupt cache entry loads as an empty session with a security warning', async () => {
      const key = 'corruptentry12345678';
      await raw!.set(`${prefix}:1:django.contrib.sessions.cache${key}`, 'not a session', 'EX', 60);
      const logs = captureLogs();
      try {
        const s = sessions.open(key);
        expect(await s.items()).toEqual([]);
        expect(s.sessionKey).toBeNull();
        expect(logs.records.some((r) => r.namespace.includes('security'))).toBe(true);
      } finally {
        logs.stop();
      }
    });

    it('the session clock decides expiry even while the Redis TTL still runs', async () => {
      const s = sessions.open();
      await s.set('a', 1);
      await s.save();
      sessions.clock.travel(sessions.settings.sessionCookieAge + 1);
      try {
        expect(await sessions.store.load(s.sessionKey!)).toMatchObject({ outcome: 'expired' });
        expect(await raw!.exists(`${prefix}:1:django.contrib.sessions.cache${s.sessionKey}`)).toBe(1);
      } finally {
        sessions.clock.reset();
      }
    });

    it('lists with SCAN in pages, only its own prefix', async () => {
      const own = make(`${run}_list`);
      try {
        const keys: string[] = [];
        for (let i = 0; i < 25; i++) {
          const s = own.open();
          await s.set('i', i);
          await s.save();
          keys.push(s.sessionKey!);
        }
        const seen: string[] = [];
        let cursor: string | null = null;
        let pages = 0;
        do {
          const page = await own.store.list!({ cursor, limit: 10 });
          expect(page.items.length).toBeLessThanOrEqual(10);
          seen.push(...page.items.map((i) => i.key));
          cursor = page.cursor;
          pages++;
        } while (cursor);
        expect(pages).toBeGreaterThanOrEqual(3);
        expect(new Set(seen)).toEqual(new Set(keys));
      } finally {
        await own.close();
      }
    });
  });

  describe('faults', () => {
    it('unreachable at start: a clear StoreUnavailable naming the URL, fast', async () => {
      const port = 1; // nothing listens there
      const sessions = createSessionManager({
        SECRET_KEY,
        SESSION_ENGINE: 'cache',
        CACHES: caches('x', `redis://:secret@127.0.0.1:${port}/0`),
      });
      const logs = captureLogs();
      try {
        const started = Date.now();
        const error = await sessions
          .open('abcdefgh12345678')
          .get('a')
          .then(
            () => null,
            (e: unknown) => e,
          );
        expect(error).toBeInstanceOf(StoreUnavailable);
        expect((error as Error).message).toContain(`redis://:***@127.0.0.1:${port}/0`);
        expect((error as Error).message).not.toContain('secret');
        expect(Date.now() - started).toBeLessThan(1100);
      } finally {
        await sessions.close();
        logs.stop();
      }
    });

    it('Redis frozen (answers nothing): requests fail within 1 s, the stalled connection is dropped, and it recovers after', async () => {
      const server = await startRedis();
      const sessions = createSessionManager({
        SECRET_KEY,
        SESSION_ENGINE: 'cache',
        CACHES: caches('frozen', server.url),
        SESSION_STORE_TIMEOUT_MS: 400,
      });
      const logs = captureLogs();
      try {
        const s = sessions.open();
        await s.set('a', 1);
        await s.save();
        server.freeze?.();
        const started = Date.now();
        const error = await sessions
          .open(s.sessionKey)
          .get('a')
          .then(
            () => null,
            (e: unknown) => e,
          );
        expect(error).toBeInstanceOf(StoreUnavailable);
        expect(Date.now() - started).toBeLessThan(1000);
        // Within two periods the watchdog sees the same command still waiting and drops the connection.
        await new Promise((r) => setTimeout(r, 1000));
        expect(logs.records.some((r) => r.message.includes('stopped answering'))).toBe(true);
        server.thaw?.();
        const back = Date.now();
        let value: unknown;
        while (Date.now() - back < 2000) {
          value = await sessions
            .open(s.sessionKey)
            .get('a')
            .catch(() => undefined);
          if (value === 1) break;
          await new Promise((r) => setTimeout(r, 50));
        }
        expect(value).toBe(1);
      } finally {
        logs.stop();
        await sessions.close();
        await server.stop();
      }
    });

    it('Redis killed mid-traffic: requests fail within 1 s, nothing crashes, and it recovers by itself within 2 s of Redis returning', async () => {
      const server = await startRedis();
      const sessions = createSessionManager({
        SECRET_KEY,
        SESSION_ENGINE: 'cache',
        CACHES: caches('fault', server.url),
        SESSION_STORE_TIMEOUT_MS: 500,
      });
      const logs = captureLogs();
      try {
        const s = sessions.open();
        await s.set('a', 1);
        await s.save();
        await server.stop();
        for (let i = 0; i < 3; i++) {
          const started = Date.now();
          const error = await sessions
            .open(s.sessionKey)
            .get('a')
            .then(
              () => null,
              (e: unknown) => e,
            );
          expect(error).toBeInstanceOf(StoreUnavailable);
          expect(Date.now() - started).toBeLessThan(1000);
        }
        await server.start();
        const back = Date.now();
        let recovered = false;
        while (Date.now() - back < 2000) {
          const ok = await sessions
            .open()
            .save()
            .then(
              () => true,
              () => false,
            );
          if (ok) {
            recovered = true;
            break;
          }
          await new Promise((r) => setTimeout(r, 50));
        }
        expect(recovered).toBe(true);
        expect(logs.records.some((r) => r.level === 'warn' && r.message.includes('unreachable'))).toBe(true);
      } finally {
        logs.stop();
        await sessions.close();
        await server.stop();
      }
    });
  });
});
