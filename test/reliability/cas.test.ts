/**
 * Issue 14 item 2: lost updates detected across processes with a compare-and-swap save. N writers
 * on one session over K real child processes on SQLite, PostgreSQL and Redis: with Django's
 * `replace` strategy every lost key is named by a `session.conflict` event (detectedBy 'store')
 * in the process that overwrote it; with `merge`, no key is lost. A save whose record keeps
 * changing gives up after bounded retries with a 409-style event, the app's response unchanged.
 */
import { createServer } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { createSessions } from '../../server-agent/create.js';
import { MAX_CAS_ATTEMPTS } from '../../server-agent/sessions/cas.js';
import type { SessionEvent } from '../../server-agent/sessions/events.js';
import { createSessionManager, type SessionManagerOptions } from '../../server-agent/sessions/manager.js';
import type { SessionStore } from '../../server-agent/sessions/store.js';
import { listen } from '../helpers/http.js';
import { requireService } from '../helpers/services.js';
import { django, djangoVersion } from '../interop/django.js';
import { race } from './cas-run.js';

const SECRET_KEY = 'cas-secret-key-0123456789abcdef0123456789';
/** Redis db 14 and PostgreSQL schema cas_<pid>: this suite's own. */
const REDIS = 'redis://127.0.0.1:6379/14';
const SCHEMA = `cas_${process.pid}`;
const PG = `postgres://postgres@127.0.0.1:5432/test?schema=${SCHEMA}`;
const redisUp = await requireService('Redis', 6379);
const pgUp = await requireService('PostgreSQL', 5432);
const dir = mkdtempSync(join(tmpdir(), 'sessionscope-cas-'));
const run = `cas${process.pid}${Date.now().toString(36)}`;

afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  if (redisUp) {
    const raw = new Redis(REDIS);
    const keys = await raw.keys(`${run}*`);
    if (keys.length) await raw.del(...keys);
    raw.disconnect();
  }
  if (pgUp) {
    const client = new pg.Client({ connectionString: 'postgres://postgres@127.0.0.1:5432/test' });
    await client.connect();
    await client.query(`DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE`);
    await client.end();
  }
});

const engines: { name: string; up: boolean; settings: () => SessionManagerOptions }[] = [
  {
    name: 'db (SQLite)',
    up: true,
    settings: () => ({ DATABASE_URL: `sqlite:${join(dir, `s${Math.random()}.sqlite3`)}` }),
  },
  { name: 'db (PostgreSQL)', up: pgUp, settings: () => ({ DATABASE_URL: PG }) },
  {
    name: 'cache (Redis)',
    up: redisUp,
    settings: () => ({
      SESSION_ENGINE: 'cache',
      CACHES: { default: { BACKEND: 'redis', LOCATION: REDIS, KEY_PREFIX: run } },
    }),
  },
  {
    name: 'cached_db (Redis + SQLite)',
    up: redisUp,
    settings: () => ({
      SESSION_ENGINE: 'cached_db',
      CACHES: {
        default: { BACKEND: 'django_redis.cache.RedisCache', LOCATION: REDIS, KEY_PREFIX: `${run}cdb` },
      },
      DATABASE_URL: `sqlite:${join(dir, `c${Math.random()}.sqlite3`)}`,
    }),
  },
];

for (const engine of engines) {
  describe.skipIf(!engine.up)(`I14.2 compare-and-swap across processes: ${engine.name}`, () => {
    it('replace (Django): 16 writers over 4 processes lose keys, and every lost key is reported by the process that overwrote it', async () => {
      const result = await race({
        settings: {
          SECRET_KEY,
          ...engine.settings(),
          SESSION_SAVE_STRATEGY: 'replace',
          SESSION_STORE_TIMEOUT_MS: 15_000,
        },
        writers: 16,
        processes: 4,
        watch: true,
      });
      expect(new Set(result.pids).size).toBe(4);
      // The race is the premise: 16 loads before 16 saves, last writer wins.
      expect(result.lost).toBeGreaterThan(0);
      expect(result.lostKeys.filter((key) => !result.reportedKeys.includes(key))).toEqual([]);
    }, 60_000);

    it('merge: 16 writers over 4 processes lose 0 keys, none gives up', async () => {
      const result = await race({
        settings: {
          SECRET_KEY,
          ...engine.settings(),
          SESSION_SAVE_STRATEGY: 'merge',
          SESSION_STORE_TIMEOUT_MS: 15_000,
        },
        writers: 16,
        processes: 4,
      });
      expect(new Set(result.pids).size).toBe(4);
      expect({ lost: result.lostKeys, gaveUp: result.gaveUp }).toEqual({ lost: [], gaveUp: 0 });
    }, 60_000);

    it('saveIf writes only over the version it was given: changed elsewhere → changed, deleted → gone', async () => {
      const settings = { SECRET_KEY, ...engine.settings() };
      const a = createSessionManager(settings);
      const b = createSessionManager(settings);
      try {
        expect(a.store.capabilities.compareAndSwap).toBe(true);
        const s = a.open();
        await s.set('n', 1);
        await s.save();
        const key = s.sessionKey as string;
        const loaded = await a.store.load(key);
        if (loaded.outcome !== 'hit' || loaded.version === undefined) throw new Error('no version');
        const other = b.open(key);
        await other.set('n', 2);
        await other.save();
        const record = {
          data: new Map([['n', 3]]),
          expireDate: new Date(Date.now() + 60_000),
          ageSeconds: 60,
        };
        const store = a.store as Required<SessionStore>;
        expect(await store.saveIf(key, record, loaded.version)).toEqual({
          written: false,
          reason: 'changed',
        });
        expect(await b.open(key).get('n')).toBe(2);
        const fresh = await a.store.load(key);
        if (fresh.outcome !== 'hit' || fresh.version === undefined) throw new Error('no version');
        expect(await store.saveIf(key, record, fresh.version)).toMatchObject({ written: true });
        expect(await b.open(key).get('n')).toBe(3);
        await b.store.delete(key);
        expect(await store.saveIf(key, record, fresh.version)).toEqual({ written: false, reason: 'gone' });
      } finally {
        await a.close();
        await b.close();
      }
    });
  });
}

const version = await djangoVersion();
describe.skipIf(version === null)('I14.2 compare-and-swap on rows written by Django', () => {
  it("a row Django wrote is compared as Django wrote it: the swap works, and Django's later write is detected", async () => {
    const file = join(dir, 'django.sqlite3');
    const db = { ENGINE: 'django.db.backends.sqlite3', NAME: file };
    await django({ op: 'migrate', secret: SECRET_KEY, db });
    const { key } = await django<{ key: string }>({
      op: 'write',
      secret: SECRET_KEY,
      db,
      data: { from: 'django' },
    });
    const sessions = createSessionManager({
      SECRET_KEY,
      DATABASE_URL: `sqlite:${file}`,
      SESSION_SAVE_STRATEGY: 'merge',
    });
    try {
      const s = sessions.open(key);
      expect(await s.get('from')).toBe('django');
      await s.set('node', 1);
      await s.save(); // one UPDATE … WHERE session_data = <Django's text>
      const again = sessions.open(key);
      expect(await again.get('node')).toBe(1);
      // Django rewrites the row (another process) between this load and save: merged, not lost.
      const read = await django<{ data: Record<string, unknown> }>({
        op: 'read',
        secret: SECRET_KEY,
        db,
        key,
      });
      expect(read.data).toEqual({ from: 'django', node: 1 });
      const { key: other } = await django<{ key: string }>({
        op: 'write',
        secret: SECRET_KEY,
        db,
        data: { x: 1 },
      });
      expect(other).not.toBe(key);
    } finally {
      await sessions.close();
    }
  }, 60_000);
});

describe('I14.2 a save that keeps losing gives up', () => {
  it(`after ${MAX_CAS_ATTEMPTS} attempts: a SESSION_SAVE_CONFLICT (409) event, nothing written, the app's response unchanged`, async () => {
    const file = join(dir, 'giveup.sqlite3');
    const sessions = createSessions({
      SECRET_KEY,
      DATABASE_URL: `sqlite:${file}`,
      SESSION_SAVE_STRATEGY: 'merge',
    });
    const rival = createSessionManager({ SECRET_KEY, DATABASE_URL: `sqlite:${file}` });
    const seed = sessions.open();
    await seed.set('base', 0);
    await seed.save();
    const key = seed.sessionKey as string;
    // Another process writes the record before each of this one's swaps: every swap loses.
    const store = sessions.store as Required<SessionStore>;
    const realSaveIf = store.saveIf.bind(store);
    let rivalWrites = 0;
    store.saveIf = async (k, record, expected) => {
      const other = rival.open(k);
      await other.set('rival', ++rivalWrites);
      await other.save();
      return realSaveIf(k, record, expected);
    };
    const events: SessionEvent[] = [];
    const stop = sessions.events.onAny((event) => events.push(event));
    const middleware = sessions.middleware();
    const server = createServer((req, res) =>
      middleware(req, res, () => {
        void req.session.set('mine', 1).then(() => {
          res.setHeader('content-type', 'text/plain');
          res.end('the app answered');
        });
      }),
    );
    const listening = await listen(server);
    try {
      const response = await fetch(`${listening.url}/`, { headers: { cookie: `sessionid=${key}` } });
      expect(response.status).toBe(200);
      expect(await response.text()).toBe('the app answered');
      expect(response.headers.get('set-cookie')).toBeNull();
      const warning = events.find((e) => e.type === 'session.warning');
      expect(warning).toMatchObject({
        code: 'SESSION_SAVE_CONFLICT',
        message: expect.stringMatching(/^409 Conflict/),
      });
      expect(events.find((e) => e.type === 'request.end')).toMatchObject({
        saved: false,
        notSavedReason: 'conflict',
      });
      expect(rivalWrites).toBe(MAX_CAS_ATTEMPTS);
      const stored = rival.open(key);
      expect(await stored.has('mine')).toBe(false);
      expect(await stored.get('rival')).toBe(MAX_CAS_ATTEMPTS);
    } finally {
      stop();
      await listening.close();
      await sessions.close();
      await rival.close();
    }
  });
});
