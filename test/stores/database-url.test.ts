/**
 * Issue 12 U4: storage mistakes that used to fail silently. Unknown schemes, missing folders,
 * dj-database-url's path rules, journal modes of existing databases, and what clearsessions does in
 * the wrong folder. Real SQLite files in temporary folders throughout.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../server-agent/cli.js';
import { createSessions } from '../../server-agent/create.js';
import { checkSqliteFolder, parseDatabaseUrl } from '../../server-agent/sessions/database-url.js';
import { ImproperlyConfigured } from '../../server-agent/sessions/errors.js';
import { loadSqliteEngine } from '../../server-agent/sessions/stores/sqlite-engines.js';

// Whichever driver this Node loads (better-sqlite3 on 20, node:sqlite on 22/24), as the store does.
const sqlite = loadSqliteEngine();

const dev = { NODE_ENV: 'test' } as NodeJS.ProcessEnv;
const base = { SECRET_KEY: 'test-secret-key', env: dev };
const temp = () => mkdtempSync(join(tmpdir(), 'sessionscope-u4-'));

function journalMode(path: string): string {
  const db = sqlite.open(path);
  try {
    return String(db.all<{ journal_mode: string }>('SELECT * FROM pragma_journal_mode', [])[0]?.journal_mode);
  } finally {
    db.close();
  }
}

/** A database as Django's migrate leaves it: default (DELETE) journal, the django_session table. */
function djangoDatabase(path: string): void {
  const db = sqlite.open(path);
  db.exec(
    'CREATE TABLE "django_session" ("session_key" varchar(40) NOT NULL PRIMARY KEY, "session_data" text NOT NULL, "expire_date" datetime NOT NULL)',
  );
  db.close();
}

async function saveOne(sessions: ReturnType<typeof createSessions>): Promise<void> {
  const session = sessions.open();
  await session.set('user', 'ada');
  await session.save();
}

describe('U4 storage mistakes', () => {
  const cleanup: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const step of cleanup.splice(0).reverse()) await step();
  });

  it.each([
    'mysql://app:hunter2@db.example.com/app',
    'mariadb://db/app',
    'redis://127.0.0.1:6379/0',
    'sqlserver://db',
    'postgis-like+odd://x',
  ])('U4 unknown DATABASE_URL schemes are refused at createSessions: %s', (url) => {
    const before = readdirSync(process.cwd());
    let error: unknown;
    try {
      createSessions({ ...base, DATABASE_URL: url });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ImproperlyConfigured);
    expect(String(error)).toMatch(
      /DATABASE_URL scheme ".+:" is not supported.*sqlite:\/\/\/relative.*postgres:\/\//,
    );
    expect(String(error)).not.toContain('hunter2');
    // The old reading turned "mysql://…" into a relative file path and created it.
    expect(readdirSync(process.cwd())).toEqual(before);
    expect(existsSync('mysql:')).toBe(false);
  });

  it('U4 unknown schemes are refused through DATABASES too, and cached_db checks the same URL', () => {
    expect(() =>
      createSessions({ ...base, SESSION_ENGINE: 'cached_db', DATABASE_URL: 'mysql://db/app' }),
    ).toThrow(/scheme "mysql:" is not supported/);
    expect(() =>
      createSessions({ ...base, DATABASES: { default: { ENGINE: 'django.db.backends.mysql', NAME: 'x' } } }),
    ).toThrow(/not supported; use django.db.backends.sqlite3/);
  });

  it('U4 a missing parent folder is an error, and nothing is created', () => {
    const root = temp();
    const path = join(root, 'nonexistent', 'dir', 'x.sqlite3');
    expect(() => createSessions({ ...base, DATABASE_URL: `sqlite:${path}` })).toThrow(ImproperlyConfigured);
    expect(() => createSessions({ ...base, DATABASE_URL: `sqlite:${path}` })).toThrow(
      /its folder .*nonexistent\/dir does not exist\. Check DATABASE_URL/,
    );
    expect(existsSync(join(root, 'nonexistent'))).toBe(false);
  });

  it('U4 only the default .sessionscope/ folder is created on its own', () => {
    const root = temp();
    checkSqliteFolder(join(root, '.sessionscope', 'sessions.sqlite3'), true);
    expect(existsSync(join(root, '.sessionscope'))).toBe(true);
    expect(() => checkSqliteFolder(join(root, 'other', 'sessions.sqlite3'), false)).toThrow(/does not exist/);
  });

  it.each([
    ['sqlite:///db.sqlite3', 'db.sqlite3'],
    ['sqlite:///sub/db.sqlite3', 'sub/db.sqlite3'],
    ['sqlite:////srv/app/db.sqlite3', '/srv/app/db.sqlite3'],
    ['sqlite:///my%20db.sqlite3', 'my db.sqlite3'],
    ['sqlite://', ':memory:'],
    ['sqlite://:memory:', ':memory:'],
    ['sqlite:///:memory:', ':memory:'],
    ['sqlite:.sessionscope/sessions.sqlite3', '.sessionscope/sessions.sqlite3'],
    ['sqlite:/abs/db.sqlite3', '/abs/db.sqlite3'],
    ['file:data/db.sqlite3', 'data/db.sqlite3'],
    [':memory:', ':memory:'],
    ['db.sqlite3', 'db.sqlite3'],
    ['C:\\app\\db.sqlite3', 'C:\\app\\db.sqlite3'],
  ])("U4 dj-database-url's path rules: %s → %s", (url, path) => {
    expect(parseDatabaseUrl(url)).toEqual({ kind: 'sqlite', path });
  });

  it('U4 sqlite://name (a host where SQLite has none) and query options are refused with the fix', () => {
    expect(() => parseDatabaseUrl('sqlite://db.sqlite3')).toThrow(
      /Write sqlite:\/\/\/db.sqlite3 for a path relative/,
    );
    expect(() => parseDatabaseUrl('sqlite:///db.sqlite3?timeout=20')).toThrow(
      /query options are not supported/,
    );
  });

  it('U4 sqlite:///relative.sqlite3 opens the file relative to the working folder, as Django reads it', async () => {
    // Inside the working folder, so the relative path does not start with "..": read as absolute
    // (the old reading) it would name /node_modules/…, a different file.
    mkdirSync(join(process.cwd(), 'node_modules', '.cache'), { recursive: true });
    const root = mkdtempSync(join(process.cwd(), 'node_modules', '.cache', 'u4-'));
    const rel = relative(process.cwd(), join(root, 'db.sqlite3'));
    expect(rel.startsWith('node_modules')).toBe(true);
    const sessions = createSessions({ ...base, DATABASE_URL: `sqlite:///${rel}` });
    await saveOne(sessions);
    await sessions.close();
    expect(existsSync(join(root, 'db.sqlite3'))).toBe(true);
  });

  it("U4 an existing database's journal mode is left alone; one sessionscope creates is WAL", async () => {
    const root = temp();
    const django = join(root, 'django.sqlite3');
    djangoDatabase(django);
    expect(journalMode(django)).toBe('delete');
    const onDjango = createSessions({ ...base, DATABASE_URL: `sqlite:${django}` });
    await saveOne(onDjango);
    await onDjango.close();
    expect(journalMode(django)).toBe('delete');

    const fresh = join(root, 'fresh.sqlite3');
    const ours = createSessions({ ...base, DATABASE_URL: `sqlite:${fresh}` });
    await saveOne(ours);
    await ours.close();
    expect(journalMode(fresh)).toBe('wal');
  });

  it('U4 SESSION_SQLITE_JOURNAL_MODE asks for a mode explicitly, and a wrong one is refused', async () => {
    const root = temp();
    const django = join(root, 'django.sqlite3');
    djangoDatabase(django);
    const sessions = createSessions({
      ...base,
      DATABASE_URL: `sqlite:${django}`,
      SESSION_SQLITE_JOURNAL_MODE: 'wal',
    });
    await saveOne(sessions);
    await sessions.close();
    expect(journalMode(django)).toBe('wal');
    expect(() => createSessions({ ...base, SESSION_SQLITE_JOURNAL_MODE: 'fast' })).toThrow(
      /SESSION_SQLITE_JOURNAL_MODE .*must be null .* or one of WAL, DELETE/,
    );
  });
});

describe('U4 clearsessions in the wrong place', () => {
  let out: string[];
  let err: string[];
  beforeEach(() => {
    out = [];
    err = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
      out.push(String(chunk));
      return true;
    });
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
      err.push(String(chunk));
      return true;
    });
  });
  afterEach(() => vi.restoreAllMocks());

  it('U4 clearsessions refuses to create a database unless --create, and names it', async () => {
    const root = temp();
    const path = join(root, 'sessions.sqlite3');
    const env = { SECRET_KEY: 'test-secret-key', DATABASE_URL: `sqlite:${path}`, NODE_ENV: 'test' };
    expect(await main(['clearsessions'], env)).toBe(1);
    expect(err.join('')).toMatch(
      new RegExp(
        `There is no session database at ${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}.*pass --create`,
      ),
    );
    expect(existsSync(path)).toBe(false);
    expect(readdirSync(root)).toEqual([]);

    expect(await main(['clearsessions', '--create'], env)).toBe(0);
    expect(existsSync(path)).toBe(true);
    expect(out.join('')).toContain(`Removed 0 expired sessions from 'db' (SQLite ${path})`);
  });

  it('U4 clearsessions names the database it worked on (SQLite path, PostgreSQL URL without password)', async () => {
    const root = temp();
    mkdirSync(join(root, 'app'));
    const path = join(root, 'app', 'db.sqlite3');
    djangoDatabase(path);
    const env = { SECRET_KEY: 'test-secret-key', DATABASE_URL: `sqlite:${path}`, NODE_ENV: 'test' };
    expect(await main(['clearsessions'], env)).toBe(0);
    expect(out.join('')).toMatch(
      new RegExp(`from 'db' \\(SQLite ${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\) in \\d+ ms`),
    );
    expect(journalMode(path)).toBe('delete');
  });

  it('U4 clearsessions names a PostgreSQL database by URL, password hidden', async () => {
    const url = `postgres://postgres:hunter2@127.0.0.1:5432/test?schema=sessionscope_u4_cli`;
    const env = { SECRET_KEY: 'test-secret-key', DATABASE_URL: url, NODE_ENV: 'test' };
    expect(await main(['clearsessions'], env)).toBe(0);
    expect(out.join('')).toContain(
      "from 'db' (PostgreSQL postgres://postgres:***@127.0.0.1:5432/test?schema=",
    );
    expect(out.join('')).not.toContain('hunter2');
  });

  it('U4 inspect refuses to create a database too', async () => {
    const root = temp();
    const path = join(root, 'sessions.sqlite3');
    const env = { SECRET_KEY: 'test-secret-key', NODE_ENV: 'test' };
    expect(await main(['inspect', '--database-url', `sqlite:${path}`], env)).toBe(1);
    expect(err.join('')).toContain(
      `There is no session database at ${path} (DATABASE_URL from --database-url)`,
    );
    expect(readdirSync(root)).toEqual([]);
  });
});
