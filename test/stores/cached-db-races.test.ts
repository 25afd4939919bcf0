/**
 * cached_db under cross-process writes (issue 14 item 2): two session managers ("processes") on
 * one real database (SQLite file, PostgreSQL) and one real redis-server, with one process's cache
 * calls held back or failing at chosen points, so the interleavings the CAS merge test hits only
 * by luck under load happen every run:
 *
 * - a write-through that lands after another process's later save (the database path both times,
 *   and the database path then the cache path);
 * - a cache fill (a load's miss) that lands after another process saved;
 * - a process whose cache is down writes the row only, while another process still holds the old
 *   cached copy; one whose cache timed out (and is skipped for a while) writes the row only, while
 *   other processes read that copy.
 *
 * In each, with SESSION_SAVE_STRATEGY 'merge', neither process's key may be lost, neither in the
 * row nor in what a later load reads through the cache, and the cache may hold no copy older
 * than the row.
 */
import { Redis } from 'ioredis';
import pg from 'pg';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CacheBackend, resolveCacheSpec } from '../../server-agent/sessions/stores/cache-backend.js';
import { createSessionCache, openCacheBackend } from '../../server-agent/sessions/stores/cache.js';
import { resolveCacheFormat } from '../../server-agent/sessions/stores/cache-format.js';
import { CACHED_DB_KEY_PREFIX, createCachedDbStore } from '../../server-agent/sessions/stores/cached-db.js';
import { resolveStore } from '../../server-agent/sessions/stores/index.js';
import { createSessionManager, type SessionManager } from '../../server-agent/sessions/manager.js';
import type { StoreContext } from '../../server-agent/sessions/store.js';
import { captureLogs } from '../helpers/log-capture.js';
import { requireService } from '../helpers/services.js';
import { type RedisProcess, startRedis } from './redis-server.js';

const SECRET_KEY = 'cached-db-races-secret-key-0123456789abcdef';
const PG = 'postgres://postgres@127.0.0.1:5432/test';
const pgUp = await requireService('PostgreSQL', 5432);
const dir = mkdtempSync(join(tmpdir(), 'sessionscope-cdb-races-'));
const run = `cdbr${process.pid}x${Date.now().toString(36)}`;
const schemas: string[] = [];
let n = 0;
let redis: RedisProcess;

beforeAll(async () => {
  // A private redis-server; REDIS_TEST_PORT pins its port (else a spare one).
  const port = process.env.REDIS_TEST_PORT ? Number(process.env.REDIS_TEST_PORT) : undefined;
  redis = await startRedis([], port);
});
afterAll(async () => {
  await redis?.stop();
  rmSync(dir, { recursive: true, force: true });
  if (pgUp && schemas.length) {
    const client = new pg.Client({ connectionString: PG });
    await client.connect();
    await client.query(schemas.map((s) => `DROP SCHEMA IF EXISTS "${s}" CASCADE`).join('; '));
    await client.end();
  }
});

/** Holds back one chosen cache write, or fails every cache call, of the process it wraps. */
interface CacheControl {
  /** The next call of one of these methods waits for `release` (after `reached` resolves). */
  hold(...methods: ('set' | 'add' | 'replaceIf' | 'get' | 'getRaw')[]): {
    reached: Promise<void>;
    release(): void;
  };
  /** While true, every cache call fails (a dead Redis, or one skipped after a timeout). */
  down: boolean;
}

function controlled(inner: CacheBackend): { backend: CacheBackend; control: CacheControl } {
  let held: { methods: string[]; reached: () => void; gate: Promise<void> } | null = null;
  const control: CacheControl = {
    down: false,
    hold(...methods) {
      let reached!: () => void;
      let release!: () => void;
      const reachedP = new Promise<void>((resolve) => {
        reached = resolve;
      });
      const gate = new Promise<void>((resolve) => {
        release = resolve;
      });
      held = { methods, reached, gate };
      return { reached: reachedP, release };
    },
  };
  const wrap =
    <A extends unknown[], R>(method: string, call: (...args: A) => Promise<R>) =>
    async (...args: A): Promise<R> => {
      if (control.down) throw new Error('cache down (test)');
      if (held?.methods.includes(method)) {
        const { reached, gate } = held;
        held = null;
        reached();
        await gate;
      }
      return call(...args);
    };
  const backend: CacheBackend = {
    description: inner.description,
    expiresOnItsOwn: true,
    get: wrap('get', inner.get),
    add: wrap('add', inner.add),
    replace: wrap('replace', inner.replace),
    set: wrap('set', inner.set),
    getRaw: wrap('getRaw', inner.getRaw),
    getManyRaw: wrap('getManyRaw', inner.getManyRaw),
    replaceIf: wrap('replaceIf', inner.replaceIf),
    has: wrap('has', inner.has),
    delete: wrap('delete', inner.delete),
    scan: wrap('scan', inner.scan),
    getMany: wrap('getMany', inner.getMany),
    close: () => inner.close(),
  };
  return { backend, control };
}

interface Setup {
  name: string;
  up: boolean;
  database(): string;
  backend: string;
}

const setups: Setup[] = [
  {
    name: 'SQLite + Redis (JSON values)',
    up: true,
    database: () => `sqlite:${join(dir, `s${++n}.sqlite3`)}`,
    backend: 'redis',
  },
  {
    name: 'SQLite + Redis (pickled values, django-redis)',
    up: true,
    database: () => `sqlite:${join(dir, `s${++n}.sqlite3`)}`,
    backend: 'django_redis.cache.RedisCache',
  },
  {
    name: 'PostgreSQL + Redis (pickled values, Django RedisCache)',
    up: pgUp,
    database: () => {
      const schema = `a14_${run}_${++n}`;
      schemas.push(schema);
      return `${PG}?schema=${schema}`;
    },
    backend: 'django.core.cache.backends.redis.RedisCache',
  },
];

interface World {
  /** Process A: its cache calls can be held back or failed. */
  a: SessionManager;
  control: CacheControl;
  /** Process B: a plain cached_db app on the same database and Redis. */
  b: SessionManager;
  /** Reads the row alone (the db engine on the same database). */
  row: SessionManager;
  raw: Redis;
  /** The settings both processes share (engine aside). */
  settings: Parameters<typeof createSessionManager>[0];
  cacheKey(key: string): string;
  close(): Promise<void>;
}

function world(setup: Setup): World {
  const database = setup.database();
  const prefix = `${run}_${++n}`;
  const settings = {
    SECRET_KEY,
    DATABASE_URL: database,
    SESSION_SAVE_STRATEGY: 'merge' as const,
    // A long store timeout gives each cache call a 250 ms budget: a held call stays in the budget.
    SESSION_STORE_TIMEOUT_MS: 10_000,
    CACHES: { default: { BACKEND: setup.backend, LOCATION: redis.url, KEY_PREFIX: prefix } },
  };
  let control!: CacheControl;
  const a = createSessionManager({
    ...settings,
    SESSION_ENGINE: (context: StoreContext) => {
      const spec = resolveCacheSpec(context.settings);
      const wrapped = controlled(openCacheBackend(context, spec));
      control = wrapped.control;
      const cache = createSessionCache(context, {
        backend: wrapped.backend,
        spec,
        prefix: CACHED_DB_KEY_PREFIX,
        format: resolveCacheFormat(context.settings, spec),
      });
      return createCachedDbStore(context, resolveStore('db', context), cache);
    },
  });
  const b = createSessionManager({ ...settings, SESSION_ENGINE: 'cached_db' });
  const row = createSessionManager({ SECRET_KEY, DATABASE_URL: database });
  const raw = new Redis(redis.url);
  return {
    a,
    control,
    b,
    row,
    raw,
    settings,
    cacheKey: (key) => `${prefix}:1:${CACHED_DB_KEY_PREFIX}${key}`,
    async close() {
      raw.disconnect();
      await Promise.all([a.close(), b.close(), row.close()]);
    },
  };
}

async function seeded(w: World): Promise<string> {
  const seed = w.b.open();
  await seed.set('base', 1);
  await seed.save();
  return seed.sessionKey as string;
}

/** Both keys in the row, in a fresh load through the cache, and no cached copy older than the row. */
async function expectBoth(w: World, key: string): Promise<void> {
  const inRow = w.row.open(key);
  expect({ a: await inRow.get('a'), b: await inRow.get('b') }).toEqual({ a: 1, b: 1 });
  // A fresh process reads through the cache (a hit when a copy is there).
  const reader = createSessionManager({ ...w.settings, SESSION_ENGINE: 'cached_db' });
  try {
    const s = reader.open(key);
    expect({ base: await s.get('base'), a: await s.get('a'), b: await s.get('b') }).toEqual({
      base: 1,
      a: 1,
      b: 1,
    });
  } finally {
    await reader.close();
  }
  // And so does process B, whose cache calls were never disturbed.
  const viaB = w.b.open(key);
  expect({ a: await viaB.get('a'), b: await viaB.get('b') }).toEqual({ a: 1, b: 1 });
}

type Logs = ReturnType<typeof captureLogs>;

/** One scenario in a world of its own, with the logs captured; both are closed whatever happens. */
async function inWorld(setup: Setup, scenario: (w: World, logs: Logs) => Promise<void>): Promise<void> {
  const w = world(setup);
  const logs = captureLogs();
  try {
    await scenario(w, logs);
  } finally {
    logs.stop();
    await w.close();
  }
}

/** While A's cache write is held back: B loads, sets its key and saves; then A's write lands. */
async function saveBWhileAHeld(
  w: World,
  key: string,
  logs: Logs,
  held: { release(): void },
  savingA: Promise<void>,
): Promise<void> {
  const sb = w.b.open(key);
  await sb.get('base');
  await sb.set('b', 1);
  await sb.save();
  held.release();
  await savingA;
  await expectBoth(w, key);
  expect(logs.records.filter((r) => r.level === 'error')).toEqual([]);
}

for (const setup of setups) {
  describe.skipIf(!setup.up)(`cached_db across processes: ${setup.name}`, () => {
    it("a write-through held back past another process's save (both on the database path) does not put the older copy back", () =>
      inWorld(setup, async (w, logs) => {
        const key = await seeded(w);
        await w.raw.del(w.cacheKey(key)); // evicted: the next load reads the row
        const sa = w.a.open(key);
        await sa.get('base');
        await w.raw.del(w.cacheKey(key)); // A's fill evicted too: B reads the row as well
        await sa.set('a', 1);
        const held = w.control.hold('set', 'add', 'replaceIf');
        const savingA = sa.save(); // the row is swapped; the cache write waits
        await held.reached;
        await saveBWhileAHeld(w, key, logs, held, savingA); // B reads the row too
      }));

    it("a write-through held back while another process saves over the cached copy: the other process's swap sees A's row", () =>
      inWorld(setup, async (w, logs) => {
        const key = await seeded(w);
        await w.raw.del(w.cacheKey(key));
        const sa = w.a.open(key);
        await sa.get('base'); // from the row; its fill puts the old copy in the cache
        await sa.set('a', 1);
        const held = w.control.hold('set', 'add', 'replaceIf');
        const savingA = sa.save();
        await held.reached;
        await saveBWhileAHeld(w, key, logs, held, savingA); // B's load: the old copy, from the cache
      }));

    it("a cache fill held back past another process's save does not leave the older copy in the cache", () =>
      inWorld(setup, async (w) => {
        const key = await seeded(w);
        await w.raw.del(w.cacheKey(key));
        // A only reads (a page view): its load misses, reads the row and fills the cache late.
        const held = w.control.hold('set', 'add');
        const sa = w.a.open(key);
        const loadingA = sa.get('base');
        await Promise.race([held.reached, loadingA]);
        const sb = w.b.open(key);
        await sb.get('base');
        await sb.set('b', 1);
        await sb.save();
        const sb2 = w.b.open(key);
        await sb2.get('base');
        held.release();
        expect(await loadingA).toBe(1);
        // A later request of A's sets its key (read through the cache first).
        const sa2 = w.a.open(key);
        await sa2.get('base');
        await sa2.set('a', 1);
        await sa2.save();
        await expectBoth(w, key);
        // And a plain read sees B's key (no stale copy served).
        expect(await w.a.open(key).get('b')).toBe(1);
      }));

    it("a process whose cache is down writes the row only; another process's save over its older cached copy still keeps that write", () =>
      inWorld(setup, async (w) => {
        const key = await seeded(w);
        const sb = w.b.open(key);
        await sb.get('base'); // B holds the cached copy {base}
        w.control.down = true;
        const sa = w.a.open(key);
        await sa.get('base'); // from the row
        await sa.set('a', 1);
        await sa.save(); // the row only: the cache cannot take the copy nor drop the old one
        w.control.down = false;
        await sb.set('b', 1);
        await sb.save();
        await expectBoth(w, key);
      }));

    it("a process whose cache timed out (skipped for a while) still removes the copy its save replaced: other processes' reads see its write", () =>
      inWorld(setup, async (w, logs) => {
        const key = await seeded(w);
        // A's load: the cache read outlives its budget (a stalled Redis, a starved event loop), so
        // A reads the row and skips the cache for a while; the read itself lands later.
        const held = w.control.hold('get', 'getRaw');
        const sa = w.a.open(key);
        await sa.get('base');
        await sa.set('a', 1);
        await sa.save(); // the row, while the cache is skipped
        held.release();
        await new Promise((resolve) => setTimeout(resolve, 50));
        // B only reads (a page view), through the cache.
        const viaB = w.b.open(key);
        expect({ base: await viaB.get('base'), a: await viaB.get('a') }).toEqual({ base: 1, a: 1 });
        // (the premise: A's cache read did run out of its budget)
        expect(logs.records.some((r) => /no answer within/.test(String((r.error as Error)?.message)))).toBe(
          true,
        );
        const sb = w.b.open(key);
        await sb.get('base');
        await sb.set('b', 1);
        await sb.save();
        await expectBoth(w, key);
      }));
  });
}
