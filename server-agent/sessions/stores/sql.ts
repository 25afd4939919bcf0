/**
 * The `db` engine's SQL, shared by every driver: Django's django_session table, update-only saves
 * (a deleted session is never resurrected), insert-if-absent creates, batched clearExpired and
 * keyset-paged listing. Drivers only run statements and convert dates.
 */
import { CreateError, UpdateError } from '../errors.js';
import type {
  ClearExpiredOptions,
  ListOptions,
  LoadResult,
  SaveOutcome,
  SaveRecord,
  SessionPage,
  SessionStore,
  StoreContext,
} from '../store.js';
import { SERVER_KEY_PATTERN } from '../store.js';

export interface SqlDriver {
  readonly name: string;
  /** Runs one statement written with `?` placeholders; returns rows and the affected-row count. */
  run<Row = Record<string, unknown>>(
    sql: string,
    params: unknown[],
  ): Promise<{ rows: Row[]; rowCount: number }>;
  toDbDate(date: Date): unknown;
  fromDbDate(value: unknown): Date;
  /**
   * One clearExpired batch in this database's dialect, with placeholders (cutoff, batch size,
   * cutoff): rows are picked by their physical address (PostgreSQL's ctid, SQLite's rowid), and
   * the outer `expire_date < ?` is re-checked on the row as it is when the DELETE reaches it.
   */
  readonly clearBatchSql: string;
  /** Creates the table and index when missing (idempotent). */
  ensureSchema(): Promise<void>;
  close(): Promise<void>;
}

const TABLE = 'django_session';
const CLEAR_BATCH = 5000;

interface Row {
  session_key: string;
  session_data: string;
  expire_date: unknown;
}

/** What cached_db asks of its database beyond the store contract (a cheap look at the row). */
export interface RowVersionReader {
  /** The row's session_data exactly as stored (its version), or null when there is no row; no decoding, expiry ignored. */
  readVersion(key: string): Promise<string | null>;
}

export function createSqlStore(context: StoreContext, driver: SqlDriver): SessionStore & RowVersionReader {
  let ready: Promise<void> | null = null;
  /** Once the schema is there, statements go straight to the driver (no await, no promise of ours). */
  let schemaReady = false;
  const schema = () =>
    (ready ??= driver.ensureSchema().then(
      () => {
        schemaReady = true;
      },
      (error) => {
        ready = null; // try again on the next call: the database may come back
        throw error;
      },
    ));
  const run = <R>(sql: string, params: unknown[]) =>
    schemaReady ? driver.run<R>(sql, params) : schema().then(() => driver.run<R>(sql, params));
  const now = () => context.clock.now();

  return {
    engine: 'db',
    capabilities: {
      serverSide: true,
      list: true,
      expiresOnItsOwn: false,
      keyPattern: SERVER_KEY_PATTERN,
      atomicCreate: true,
      compareAndSwap: true,
      // SQLite runs in process and retries a locked database against the store deadline itself.
      settlesInTime: driver.name === 'sqlite',
    },

    async load(key): Promise<LoadResult> {
      const { rows } = await run<Row>(
        `SELECT session_data, expire_date FROM ${TABLE} WHERE session_key = ?`,
        [key],
      );
      const row = rows[0];
      if (!row) return { outcome: 'miss' };
      const expiresAt = driver.fromDbDate(row.expire_date);
      if (!(expiresAt.getTime() > now().getTime())) return { outcome: 'expired', expiredAt: expiresAt };
      const decoded = context.codec.decodeDetailed(row.session_data);
      if (decoded.problem) return { outcome: decoded.problem };
      // The row's text as stored (by Django too) is the version a compare-and-swap save compares.
      return { outcome: 'hit', data: decoded.data, expiresAt, version: row.session_data };
    },

    async readVersion(key) {
      const { rows } = await run<Pick<Row, 'session_data'>>(
        `SELECT session_data FROM ${TABLE} WHERE session_key = ?`,
        [key],
      );
      return rows[0]?.session_data ?? null;
    },

    async exists(key) {
      const { rows } = await run(`SELECT 1 AS found FROM ${TABLE} WHERE session_key = ?`, [key]);
      return rows.length > 0;
    },

    async save(key, record: SaveRecord, mustCreate): Promise<SaveOutcome> {
      const encoded = context.codec.encode(record.data);
      const expire = driver.toDbDate(record.expireDate);
      if (mustCreate) {
        const { rowCount } = await run(
          `INSERT INTO ${TABLE} (session_key, session_data, expire_date) VALUES (?, ?, ?) ON CONFLICT (session_key) DO NOTHING`,
          [key, encoded, expire],
        );
        if (rowCount === 0) throw new CreateError();
      } else {
        const { rowCount } = await run(
          `UPDATE ${TABLE} SET session_data = ?, expire_date = ? WHERE session_key = ?`,
          [encoded, expire, key],
        );
        if (rowCount === 0) throw new UpdateError('Forced update did not affect any rows.');
      }
      return { bytes: Buffer.byteLength(encoded), version: encoded };
    },

    async saveIf(key, record: SaveRecord, expected) {
      if (typeof expected !== 'string') return { written: false, reason: 'changed' };
      const encoded = context.codec.encode(record.data);
      // One statement: the row is updated only while it still holds what this request loaded.
      const { rowCount } = await run(
        `UPDATE ${TABLE} SET session_data = ?, expire_date = ? WHERE session_key = ? AND session_data = ?`,
        [encoded, driver.toDbDate(record.expireDate), key, expected],
      );
      if (rowCount > 0) return { written: true, bytes: Buffer.byteLength(encoded), version: encoded };
      const { rows } = await run(`SELECT 1 AS found FROM ${TABLE} WHERE session_key = ?`, [key]);
      return { written: false, reason: rows.length > 0 ? 'changed' : 'gone' };
    },

    async delete(key) {
      await run(`DELETE FROM ${TABLE} WHERE session_key = ?`, [key]);
    },

    async clearExpired(options: ClearExpiredOptions = {}) {
      // Batches keep each transaction short, so a million expired rows never lock the table for long.
      const batch = options.batchSize ?? CLEAR_BATCH;
      const cutoff = driver.toDbDate(now());
      let removed = 0;
      for (;;) {
        const { rowCount } = await run(driver.clearBatchSql, [cutoff, batch, cutoff]);
        if (rowCount === 0) return removed;
        removed += rowCount;
        options.onProgress?.(removed);
        // A short batch usually means the end, but not always: a row refreshed (or deleted) by
        // another request while this batch ran is skipped by the re-check, and expired rows can
        // remain behind it. Only an empty batch ends the sweep.
      }
    },

    async list(options: ListOptions): Promise<SessionPage> {
      const where: string[] = [];
      const params: unknown[] = [];
      if (options.cursor) {
        where.push('session_key > ?');
        params.push(options.cursor);
      }
      if (!options.includeExpired) {
        where.push('expire_date > ?');
        params.push(driver.toDbDate(now()));
      }
      const clause = where.length ? `WHERE ${where.join(' AND ')}` : '';
      const { rows } = await run<Row>(
        `SELECT session_key, session_data, expire_date FROM ${TABLE} ${clause} ORDER BY session_key LIMIT ?`,
        [...params, options.limit + 1],
      );
      const countClause = options.includeExpired ? '' : 'WHERE expire_date > ?';
      const countParams = options.includeExpired ? [] : [driver.toDbDate(now())];
      const { rows: countRows } = await run<{ total: number | string }>(
        `SELECT COUNT(*) AS total FROM ${TABLE} ${countClause}`,
        countParams,
      );
      const page = rows.slice(0, options.limit);
      return {
        items: page.map((row) => ({
          key: row.session_key,
          expiresAt: driver.fromDbDate(row.expire_date),
          data: context.codec.decode(row.session_data),
          bytes: Buffer.byteLength(row.session_data),
        })),
        cursor: rows.length > options.limit ? (page.at(-1)?.session_key ?? null) : null,
        total: Number(countRows[0]?.total ?? 0),
      };
    },

    close: () => driver.close(),
  };
}
