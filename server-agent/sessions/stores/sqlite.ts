/**
 * The SQLite driver for the `db` engine, on better-sqlite3 or node:sqlite (sqlite-engines.ts):
 * the library is chosen when the store is created, the database opens on first use.
 */
import { existsSync } from 'node:fs';
import { parseDatabaseUrl } from '../database-url.js';
import { ImproperlyConfigured } from '../errors.js';
import type { SessionStore, StoreContext } from '../store.js';
import { createSqlStore, type RowVersionReader, type SqlDriver } from './sql.js';
import { isBusy, whileBusy } from './sqlite-busy.js';
import { fromDjangoSqliteDate, toDjangoSqliteDate } from './sqlite-dates.js';
import {
  loadSqliteEngine,
  type SqliteConnection,
  type SqliteEngine,
  type SqliteEngineName,
} from './sqlite-engines.js';

const SCHEMA = [
  'CREATE TABLE IF NOT EXISTS "django_session" ("session_key" varchar(40) NOT NULL PRIMARY KEY, "session_data" text NOT NULL, "expire_date" datetime NOT NULL)',
  'CREATE INDEX IF NOT EXISTS "django_session_expire_date_a5c62663" ON "django_session" ("expire_date")',
];

/** The file behind a SQLite DATABASE_URL (the rules live in database-url.ts). */
export function sqlitePathFromUrl(url: string): string {
  const target = parseDatabaseUrl(url);
  if (target.kind !== 'sqlite') throw new ImproperlyConfigured('DATABASE_URL is not a SQLite URL.');
  return target.path;
}

export interface SqliteOptions {
  /**
   * SESSION_SQLITE_JOURNAL_MODE: null leaves an existing database's journal mode alone (it may be
   * Django's) and puts a database this driver creates in WAL; a mode name sets it on every open.
   */
  journalMode?: string | null;
  /** How long a statement is retried while another connection holds the lock (S3); default 1000 ms. */
  busyRetryMs?: number;
}

function openDatabase(engine: SqliteEngine, path: string, options: SqliteOptions): SqliteConnection {
  // The folder was checked when the store was made (database-url.ts): opening never creates one.
  const creating = path === ':memory:' || !existsSync(path);
  let db: SqliteConnection | undefined;
  try {
    db = engine.open(path);
    const mode = options.journalMode ?? (creating ? 'WAL' : null);
    if (mode) db.exec(`PRAGMA journal_mode = ${mode}`);
    // WAL + NORMAL: no fsync per commit (only at checkpoints). A crash of the app loses nothing; a
    // power cut may drop the last commits, an acceptable trade for sessions (SQLite's own advice for
    // WAL). In the other journal modes NORMAL risks more, so someone else's database keeps its FULL.
    const [current] = db.all<{ journal_mode: string }>('PRAGMA journal_mode', []);
    if (current?.journal_mode.toLowerCase() === 'wal') db.exec('PRAGMA synchronous = NORMAL');
    // S3: never wait for a lock inside SQLite (that blocks the event loop); sqlite-busy.ts retries.
    db.exec('PRAGMA busy_timeout = 0');
    return db;
  } catch (error) {
    if (isBusy(error)) {
      db?.close();
      throw error;
    }
    throw new ImproperlyConfigured(
      `Cannot open the SQLite session database at ${path}: ${(error as Error).message}. Check DATABASE_URL.`,
      { cause: error },
    );
  }
}

export function createSqliteDriver(
  path: string,
  engineName?: SqliteEngineName,
  options: SqliteOptions = {},
): SqlDriver & { readonly engine: SqliteEngineName } {
  // Resolved now, not on first use: a missing driver fails at createSessions.
  const engine = loadSqliteEngine(engineName);
  let db: SqliteConnection | null = null;
  const limit = options.busyRetryMs ?? 1000;
  // A lock met while opening (journal_mode) is retried like any statement: whileBusy below.
  const database = () => (db ??= openDatabase(engine, path, options));
  return {
    name: 'sqlite',
    engine: engine.name,
    run<Row>(sql: string, params: unknown[]) {
      if (/^\s*select\b/i.test(sql))
        return whileBusy(() => ({ rows: database().all<Row>(sql, params), rowCount: 0 }), limit);
      return whileBusy(() => ({ rows: [] as Row[], rowCount: database().run(sql, params) }), limit);
    },
    // By rowid: the subquery's rows are then deleted without a lookup in the session_key index.
    clearBatchSql:
      'DELETE FROM django_session WHERE rowid IN (SELECT rowid FROM django_session WHERE expire_date < ? LIMIT ?) AND expire_date < ?',
    toDbDate: toDjangoSqliteDate,
    fromDbDate(value) {
      const date = typeof value === 'string' ? fromDjangoSqliteDate(value) : null;
      if (!date) throw new Error(`Unreadable expire_date ${JSON.stringify(value)} in django_session.`);
      return date;
    },
    async ensureSchema() {
      for (const statement of SCHEMA) await whileBusy(() => database().exec(statement), limit);
    },
    async close() {
      db?.close();
      db = null;
    },
  };
}

/** `engine` picks the SQLite library (tests run the conformance suite on each); default: the first that loads. */
export function createSqliteStore(
  context: StoreContext,
  path = sqlitePathFromUrl(context.settings.databaseUrl),
  engine?: SqliteEngineName,
): SessionStore & RowVersionReader {
  return createSqlStore(
    context,
    createSqliteDriver(path, engine, {
      journalMode: context.settings.sessionSqliteJournalMode,
      busyRetryMs: context.settings.storeTimeoutMs,
    }),
  );
}
