/**
 * The PostgreSQL driver for the `db` engine: a `pg` pool (loaded only when this store is used)
 * behind the shared SQL of sql.ts, with the table Django's PostgreSQL migration creates.
 */
import { createRequire } from 'node:module';
import { ImproperlyConfigured, StoreUnavailable } from '../errors.js';
import type { SessionStore, StoreContext } from '../store.js';
import { createSqlStore, type RowVersionReader, type SqlDriver } from './sql.js';
import { redactUrl } from './url.js';

type Pool = import('pg').Pool;
type PoolConfig = import('pg').PoolConfig;

/** What `./manage.py sqlmigrate sessions 0001` prints for PostgreSQL. */
export const POSTGRES_SCHEMA = [
  'CREATE TABLE IF NOT EXISTS "django_session" ("session_key" varchar(40) NOT NULL PRIMARY KEY, "session_data" text NOT NULL, "expire_date" timestamp with time zone NOT NULL)',
  'CREATE INDEX IF NOT EXISTS "django_session_expire_date_a5c62663" ON "django_session" ("expire_date")',
  'CREATE INDEX IF NOT EXISTS "django_session_session_key_c0390e0f_like" ON "django_session" ("session_key" varchar_pattern_ops)',
];

/** Codes for "someone else created it first" when two processes create the schema at once. */
const CONCURRENT_DDL = new Set(['23505', '42P07', '42710']);

export interface PostgresDriverOptions {
  url: string;
  /** Schema to create and use the table in (search_path); default: the server's default. */
  schema?: string;
  /** Per-statement limit in ms; a slower query fails instead of holding the request. */
  statementTimeoutMs?: number;
  max?: number;
}

/** `?` placeholders (the shared SQL's dialect) → `$1, $2…`. The shared SQL has no `?` in literals. */
export function toNumberedPlaceholders(sql: string): string {
  let index = 0;
  return sql.replace(/\?/g, () => `$${++index}`);
}

function loadPg(): typeof import('pg') {
  const require = createRequire(import.meta.url);
  try {
    return require('pg');
  } catch (error) {
    throw new ImproperlyConfigured('The db engine on PostgreSQL needs the pg package: npm install pg@8', {
      cause: error,
    });
  }
}

/**
 * SQL errors (a bad statement, a constraint) are bugs and surface as they are. Network errors and
 * SQLSTATE classes 08 (connection), 53 (resources) and 57 (shutdown, statement timeout) are the
 * service being unavailable: 503, not 500.
 */
function isServiceFailure(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code !== 'string' || !/^[0-9A-Z]{5}$/.test(code)) return true;
  return code.startsWith('08') || code.startsWith('53') || code.startsWith('57');
}

const quoteIdent = (name: string) => `"${name.replace(/"/g, '""')}"`;

export function createPostgresDriver(
  context: StoreContext,
  options: PostgresDriverOptions,
): SqlDriver & { readonly pool: Pool } {
  const { Pool } = loadPg();
  const where = redactUrl(options.url);
  const timeout = options.statementTimeoutMs ?? context.settings.storeTimeoutMs;
  const config: PoolConfig = {
    connectionString: options.url,
    max: options.max ?? 10,
    connectionTimeoutMillis: timeout,
    query_timeout: timeout,
    statement_timeout: timeout,
    idleTimeoutMillis: 30_000,
  };
  if (options.schema) config.options = `-c search_path=${quoteIdent(options.schema)}`;
  const pool = new Pool(config);
  // An idle client losing its connection emits 'error' on the pool; unhandled it would crash the app.
  pool.on('error', (error) =>
    context.log.warn(`PostgreSQL connection to ${where} lost; the pool reconnects on the next query`, error),
  );
  const statements = new Map<string, { name: string; text: string }>();
  const unavailable = (error: unknown) =>
    new StoreUnavailable(
      `The PostgreSQL session database at ${where} is unavailable: ${(error as Error).message}. Check DATABASE_URL and that the server is running.`,
      { cause: error },
    );

  return {
    name: 'postgres',
    pool,
    async run<Row>(sql: string, params: unknown[]) {
      let prepared = statements.get(sql);
      if (prepared === undefined) {
        // Named statements are parsed and planned once per connection, then only bound and run.
        prepared = { name: `sessionscope_${statements.size + 1}`, text: toNumberedPlaceholders(sql) };
        statements.set(sql, prepared);
      }
      try {
        const result = await pool.query({ ...prepared, values: params });
        return { rows: result.rows as Row[], rowCount: result.rowCount ?? 0 };
      } catch (error) {
        throw isServiceFailure(error) ? unavailable(error) : error;
      }
    },
    // By ctid, not `session_key IN (…)`: PostgreSQL plans that as a hash join over a sequential
    // scan of the whole table, once per batch (140 ms a batch at 10^6 rows, quadratic overall), and
    // it deleted a session refreshed while the DELETE waited on its row lock (READ COMMITTED
    // re-checks the join on the row's new version, and the key still matches). The outer
    // expire_date test re-checks that version's expiry whatever the plan.
    clearBatchSql:
      'DELETE FROM django_session WHERE ctid = ANY(ARRAY(SELECT ctid FROM django_session WHERE expire_date < ? LIMIT ?)) AND expire_date < ?',
    toDbDate: (date) => date,
    fromDbDate(value) {
      if (value instanceof Date) return value;
      const date = new Date(String(value));
      if (Number.isNaN(date.getTime()))
        throw new Error(`Unreadable expire_date ${JSON.stringify(value)} in django_session.`);
      return date;
    },
    async ensureSchema() {
      const statements = options.schema
        ? [`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(options.schema)}`, ...POSTGRES_SCHEMA]
        : POSTGRES_SCHEMA;
      for (const statement of statements) {
        try {
          await pool.query(statement);
        } catch (error) {
          const code = (error as { code?: string }).code;
          if (code && CONCURRENT_DDL.has(code)) continue;
          throw isServiceFailure(error) ? unavailable(error) : error;
        }
      }
    },
    async close() {
      await pool.end();
    },
  };
}

/**
 * `postgres://user@host:5432/db?schema=name` puts the table in that schema (created when missing):
 * a sessionscope addition, handy to keep sessions apart from the app's tables or tests apart.
 */
export function createPostgresStore(
  context: StoreContext,
  options: Partial<PostgresDriverOptions> = {},
): SessionStore & RowVersionReader {
  let url = options.url ?? context.settings.databaseUrl;
  let schema = options.schema;
  const parsed = URL.canParse(url) ? new URL(url) : null;
  const fromUrl = parsed?.searchParams.get('schema');
  if (parsed && fromUrl) {
    parsed.searchParams.delete('schema');
    url = parsed.toString();
    schema ??= fromUrl;
  }
  return createSqlStore(context, createPostgresDriver(context, { ...options, url, schema }));
}
