/**
 * A real Django (Debian's python3-django) and sessionscope, same SECRET_KEY, reading each other's
 * sessions: the db engine on SQLite and on PostgreSQL, and signed cookies.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSessionManager, type SessionManager } from '../../server-agent/sessions/manager.js';
import { POSTGRES_SCHEMA } from '../../server-agent/sessions/stores/postgres.js';
import { requireService } from '../helpers/services.js';
import { type DjangoDb, django, djangoVersion } from './django.js';

const SECRET_KEY = 'interop-secret-key-shared-by-django-and-node-0123456789';
const version = await djangoVersion();
const pgUp = version !== null && (await requireService('PostgreSQL', 5432));
const DATA = { user_id: 42, name: 'Zoë ’😀', cart: [1, 2.5, { sku: 'A-1' }], flag: true, nothing: null };

interface Side {
  name: string;
  djangoDb: DjangoDb;
  databaseUrl: string;
}

function describeDbInterop(label: string, side: () => Side, enabled: boolean) {
  describe.skipIf(!enabled)(`db engine: ${label}`, () => {
    let sessions: SessionManager;
    let s: Side;
    beforeAll(async () => {
      s = side();
      // Django creates the table with its own migration; sessionscope must work on it as is.
      await django({ op: 'migrate', secret: SECRET_KEY, db: s.djangoDb });
      sessions = createSessionManager({ SECRET_KEY, DATABASE_URL: s.databaseUrl });
    }, 30_000);
    afterAll(() => sessions?.close());

    it('Django writes, sessionscope reads (data, order, non-ASCII, custom expiry)', async () => {
      const { key } = await django<{ key: string }>({
        op: 'write',
        secret: SECRET_KEY,
        db: s.djangoDb,
        data: DATA,
        expiry: 600,
      });
      const session = sessions.open(key);
      expect(Object.fromEntries(await session.items())).toEqual({ ...DATA, _session_expiry: 600 });
      expect(await session.keys()).toEqual([...Object.keys(DATA), '_session_expiry']);
      expect(await session.getExpiryAge()).toBe(600);
    });

    it('sessionscope writes, Django reads (data and expiry age)', async () => {
      const session = sessions.open();
      await session.update(DATA);
      // A number: Django before 4.1 cannot read the ISO string set_expiry(datetime) stores (#21514).
      await session.setExpiry(3600);
      await session.save();
      const read = await django<{ data: Record<string, unknown>; key: string; expiry_age: number }>({
        op: 'read',
        secret: SECRET_KEY,
        db: s.djangoDb,
        key: session.sessionKey,
      });
      expect(read.key).toBe(session.sessionKey);
      expect(read.data).toMatchObject(DATA);
      expect(read.expiry_age).toBeGreaterThan(3590);
      expect(read.expiry_age).toBeLessThanOrEqual(3600);
    });

    it('an expired row written by sessionscope is invisible to Django too', async () => {
      const session = sessions.open();
      await session.set('a', 1);
      await session.setExpiry(-5);
      await session.save();
      const read = await django<{ data: Record<string, unknown>; key: string | null }>({
        op: 'read',
        secret: SECRET_KEY,
        db: s.djangoDb,
        key: session.sessionKey,
      });
      expect(read.data).toEqual({});
      expect(read.key).toBeNull();
    });

    it('a different SECRET_KEY on the Django side reads an empty session', async () => {
      const session = sessions.open();
      await session.set('a', 1);
      await session.save();
      const read = await django<{ data: Record<string, unknown> }>({
        op: 'read',
        secret: 'another-secret',
        db: s.djangoDb,
        key: session.sessionKey,
      });
      expect(read.data).toEqual({});
    });
  });
}

const folder = mkdtempSync(join(tmpdir(), 'sessionscope-interop-'));
describeDbInterop(
  'SQLite',
  () => ({
    name: 'SQLite',
    djangoDb: { ENGINE: 'django.db.backends.sqlite3', NAME: join(folder, 'django.sqlite3') },
    databaseUrl: `sqlite:${join(folder, 'django.sqlite3')}`,
  }),
  version !== null,
);

const schema = `ss_interop_${process.pid}_${Date.now().toString(36)}`;
async function postgres(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: 'postgres://postgres@127.0.0.1:5432/test' });
  await client.connect();
  await client.query(sql);
  await client.end();
}
// File-level hooks run before the describe blocks' own: Django's migrate needs the schema to exist.
beforeAll(async () => {
  if (pgUp) await postgres(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
});
afterAll(async () => {
  if (pgUp) await postgres(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
});
describeDbInterop(
  'PostgreSQL',
  () => ({
    name: 'PostgreSQL',
    djangoDb: {
      ENGINE: 'django.db.backends.postgresql',
      NAME: 'test',
      USER: 'postgres',
      HOST: '127.0.0.1',
      PORT: '5432',
      OPTIONS: { options: `-c search_path=${schema}` },
    },
    databaseUrl: `postgres://postgres@127.0.0.1:5432/test?schema=${schema}`,
  }),
  pgUp,
);

describe.skipIf(!pgUp)('PostgreSQL schema', () => {
  it("sessionscope's DDL is what Django's sqlmigrate prints for PostgreSQL", async () => {
    const { sql } = await django<{ sql: string }>({
      op: 'sqlmigrate',
      secret: SECRET_KEY,
      db: {
        ENGINE: 'django.db.backends.postgresql',
        NAME: 'test',
        USER: 'postgres',
        HOST: '127.0.0.1',
        PORT: '5432',
      },
    });
    const djangoStatements = sql
      .split('\n')
      .filter((line) => line.startsWith('CREATE'))
      .map((line) => line.replace(/;$/, ''));
    const ours = POSTGRES_SCHEMA.map((statement) => statement.replace(' IF NOT EXISTS', ''));
    expect(new Set(ours)).toEqual(new Set(djangoStatements));
  });
});

describe.skipIf(version === null)('signed_cookies engine', () => {
  const sessions = createSessionManager({ SECRET_KEY, SESSION_ENGINE: 'signed_cookies' });

  it('Django signs, sessionscope reads', async () => {
    const { key } = await django<{ key: string }>({
      op: 'write',
      engine: 'signed_cookies',
      secret: SECRET_KEY,
      data: DATA,
    });
    expect(Object.fromEntries(await sessions.open(key).items())).toEqual(DATA);
  });

  it('sessionscope signs (compressed when shorter), Django reads', async () => {
    const session = sessions.open();
    await session.update({ ...DATA, padding: 'x'.repeat(300) });
    await session.save();
    expect(session.sessionKey?.startsWith('.')).toBe(true);
    const read = await django<{ data: Record<string, unknown> }>({
      op: 'read',
      engine: 'signed_cookies',
      secret: SECRET_KEY,
      key: session.sessionKey,
    });
    expect(read.data).toEqual({ ...DATA, padding: 'x'.repeat(300) });
  });

  it('a token Django signed with another key is rejected', async () => {
    const { key } = await django<{ key: string }>({
      op: 'write',
      engine: 'signed_cookies',
      secret: 'other-secret',
      data: { a: 1 },
    });
    expect(await sessions.open(key).items()).toEqual([]);
  });
});
