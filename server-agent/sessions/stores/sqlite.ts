/** The SQLite driver for the `db` engine (better-sqlite3, loaded only when this store is used). */
import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { ImproperlyConfigured } from '../errors.js';
import { parseIso } from '../expiry.js';
import type { SessionStore, StoreContext } from '../store.js';
import { createSqlStore, type SqlDriver } from './sql.js';

type Database = import('better-sqlite3').Database;
type Statement = import('better-sqlite3').Statement;

const SCHEMA = [
  'CREATE TABLE IF NOT EXISTS "django_session" ("session_key" varchar(40) NOT NULL PRIMARY KEY, "session_data" text NOT NULL, "expire_date" datetime NOT NULL)',
  'CREATE INDEX IF NOT EXISTS "django_session_expire_date_a5c62663" ON "django_session" ("expire_date")',
];

/** `sqlite:path`, `sqlite://path`, `file:path`, `:memory:` or a bare path. */
export function sqlitePathFromUrl(url: string): string {
  if (url === ':memory:' || url === 'sqlite::memory:') return ':memory:';
  return url.replace(/^sqlite:(\/\/)?/, '').replace(/^file:/, '') || ':memory:';
}

function openDatabase(path: string): Database {
  const require = createRequire(import.meta.url);
  let BetterSqlite: typeof import('better-sqlite3');
  try {
    BetterSqlite = require('better-sqlite3');
  } catch (error) {
    throw new ImproperlyConfigured(
      'The db engine on SQLite needs the better-sqlite3 package: npm install better-sqlite3@12',
      { cause: error },
    );
  }
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  try {
    const db = new BetterSqlite(path);
    db.pragma('journal_mode = WAL');
    // WAL + NORMAL: no fsync per commit (only at checkpoints). A crash of the app loses nothing; a
    // power cut may drop the last commits, an acceptable trade for sessions (SQLite's own advice for WAL).
    db.pragma('synchronous = NORMAL');
    db.pragma('busy_timeout = 5000');
    return db;
  } catch (error) {
    throw new ImproperlyConfigured(
      `Cannot open the SQLite session database at ${path}: ${(error as Error).message}. Check DATABASE_URL.`,
      { cause: error },
    );
  }
}

/** Django's SQLite backend writes aware datetimes as naive UTC text: "2023-11-28 22:13:20.123456". */
export function toDjangoSqliteDate(date: Date): string {
  const iso = date.toISOString();
  const ms = date.getUTCMilliseconds();
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)}${ms ? `.${String(ms * 1000).padStart(6, '0')}` : ''}`;
}

export function createSqliteDriver(path: string): SqlDriver & { readonly database: Database } {
  let db: Database | null = null;
  const statements = new Map<string, Statement>();
  const database = () => (db ??= openDatabase(path));
  const prepare = (sql: string) => {
    let statement = statements.get(sql);
    if (!statement) {
      statement = database().prepare(sql);
      statements.set(sql, statement);
    }
    return statement;
  };
  return {
    name: 'sqlite',
    get database() {
      return database();
    },
    async run<Row>(sql: string, params: unknown[]) {
      const statement = prepare(sql);
      if (statement.reader) return { rows: statement.all(...params) as Row[], rowCount: 0 };
      const info = statement.run(...params);
      return { rows: [], rowCount: info.changes };
    },
    toDbDate: toDjangoSqliteDate,
    fromDbDate(value) {
      const date = typeof value === 'string' ? parseIso(value) : null;
      if (!date) throw new Error(`Unreadable expire_date ${JSON.stringify(value)} in django_session.`);
      return date;
    },
    async ensureSchema() {
      for (const statement of SCHEMA) database().exec(statement);
    },
    async close() {
      statements.clear();
      db?.close();
      db = null;
    },
  };
}

export function createSqliteStore(
  context: StoreContext,
  path = sqlitePathFromUrl(context.settings.databaseUrl),
): SessionStore {
  return createSqlStore(context, createSqliteDriver(path));
}
