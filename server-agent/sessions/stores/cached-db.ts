/**
 * The `cached_db` engine (Django's backends.cached_db): a write-through cache in front of the
 * `db` store, composed from the two rather than copied. The database is the source of truth: a
 * cache that fails to read falls back to it, a cache that fails to write is logged and the
 * request goes on, and deleting a session removes both copies.
 *
 * Several processes (issue 14): the row is the only place a compare-and-swap is decided, and the
 * cache never keeps a copy older than the row. Django's write order stays (row, then cache set,
 * the same key and value), with three additions a Django app on the same store does not notice:
 * - a save read from the cache swaps the row too: the row is read, must still hold the data the
 *   cached copy held, and is swapped against its stored text (UPDATE … WHERE session_data = ?);
 * - after every cache write (write-through or a load's fill) the row's text is read back, and a
 *   copy the row has moved past since is deleted: a write that lands late (a slow or timed-out
 *   call, a process paused between its row and its cache write) cannot put an older copy over a
 *   newer one for longer than that one read;
 * - a fill is an add (SET NX), so it never replaces a copy another process wrote through.
 * Deleting the copy after each save instead (invalidation) would make the request after every
 * save a miss, and a late fill could still put an old copy back; comparing cache bytes alone (the
 * cache engine's REPLACE_IF) cannot order writes made through the row (a Django app, a process
 * whose cache was down), so a stale copy would win a swap and its unconditional row write would
 * drop the other process's keys.
 */
import type {
  ClearExpiredOptions,
  ListOptions,
  LoadResult,
  RecordVersion,
  SaveRecord,
  SessionStore,
  StoreContext,
} from '../store.js';
import type { SessionData } from '../serializer.js';
import { SERVER_KEY_PATTERN } from '../store.js';
import type { SessionCache } from './cache.js';
import { createCacheGuard } from './cache-guard.js';
import type { RowVersionReader } from './sql.js';

export const CACHED_DB_KEY_PREFIX = 'django.contrib.sessions.cached_db';

function withVersion(result: LoadResult, part: 'cache' | 'db'): LoadResult {
  if (result.outcome !== 'hit' || result.version === undefined) return result;
  const raw = result.version;
  return typeof raw === 'string' || raw instanceof Uint8Array
    ? { ...result, version: { [part]: raw } }
    : result;
}

/** Same keys, same values, same order: what the row and a cached copy of it both decode to. */
function sameData(a: SessionData, b: SessionData): boolean {
  if (a.size !== b.size) return false;
  try {
    return JSON.stringify([...a]) === JSON.stringify([...b]);
  } catch {
    return false; // not JSON (cannot be in a row): not the same
  }
}

export function createCachedDbStore(
  context: StoreContext,
  db: SessionStore & Partial<RowVersionReader>,
  cache: SessionCache,
): SessionStore {
  const where = cache.backend.description;
  // S7: every cache call is bounded and a frozen cache is skipped (cache-guard.ts).
  const { guarded, required, skipping } = createCacheGuard(context, where);
  /**
   * Keys saved to the database while the cache could neither take the new copy nor drop the old
   * one: their cached copy is stale, so loads skip it and drop it once the cache answers again.
   */
  const stale = new Set<string>();
  const MAX_STALE = 10_000;
  const MAX_BACKGROUND_DROPS = 1_000;
  /** The row's text as stored now (null: no row); the SQL store reads it without decoding. */
  const rowVersion = async (key: string): Promise<string | null> => {
    if (db.readVersion) return db.readVersion(key);
    const row = await db.load(key);
    return row.outcome === 'hit' && typeof row.version === 'string' ? row.version : null;
  };
  /**
   * Drops the cached copy; when the cache cannot, this process's loads skip it until it can.
   * `afterWrite`: a cache write was just sent and its outcome is unknown (failed, or abandoned at
   * the budget while Redis may still run it): the DEL is sent even while the cache is skipped, on
   * the same connection, so Redis runs it after that write and a late write cannot stay.
   */
  const dropCopy = async (key: string, afterWrite: boolean) => {
    if (!afterWrite && skipping()) return dropLater(key);
    const dropped = await guarded('dropping a stale copy from', () => cache.delete(key), true);
    if (dropped === undefined && stale.size < MAX_STALE) stale.add(key);
  };
  let dropsInFlight = 0;
  /**
   * While the cache is skipped (it timed out moments ago), a row written here must still not leave
   * other processes reading the copy it replaced: the DEL is sent without waiting for it (a
   * frozen cache costs no request time; at most MAX_BACKGROUND_DROPS wait at once), and this
   * process skips the copy until one of its own loads has dropped it.
   */
  const dropLater = (key: string) => {
    if (stale.size < MAX_STALE) stale.add(key);
    if (dropsInFlight >= MAX_BACKGROUND_DROPS) return;
    dropsInFlight++;
    cache
      .delete(key)
      .catch(() => undefined)
      .finally(() => {
        dropsInFlight--;
      });
  };
  /**
   * After a copy of the row's `text` went into the cache: if the row has moved on meanwhile (a
   * later save elsewhere whose copy this one may have just replaced), the copy goes. True when
   * the copy stays.
   */
  const confirmCopy = async (key: string, text: string | undefined): Promise<boolean> => {
    let current: string | null | undefined;
    try {
      current = await rowVersion(key);
    } catch (error) {
      context.log.error('Error re-reading the session row after a cache write; dropping the copy', error);
    }
    if (current !== undefined && current === text) return true;
    await dropCopy(key, true);
    return false;
  };

  const exists = async (key: string) => {
    // Django checks the cache first: a hit costs no SQL.
    if (await guarded('reading', () => cache.exists(key))) return true;
    return db.exists(key);
  };
  /** Write the saved record through to the cache; the version of the copy a later load reads. */
  const writeThrough = async (
    key: string,
    record: SaveRecord,
    dbVersion: RecordVersion | undefined,
  ): Promise<RecordVersion | undefined> => {
    const text = typeof dbVersion === 'string' ? dbVersion : undefined;
    const skipped = skipping();
    const written = skipped ? undefined : await guarded('writing', () => cache.write(key, record, 'set'));
    // A failed write would leave the previous copy in the cache, and later loads would serve
    // that stale copy over the database's newer row: drop it (DEL works even when Redis is full),
    // or remember to before this key is read from the cache again.
    if (written === undefined) {
      if (skipped)
        dropLater(key); // nothing was sent: the old copy is what other processes read
      else await dropCopy(key, true);
      return text !== undefined ? { db: text } : undefined;
    }
    stale.delete(key);
    if (written.value === undefined) return text !== undefined ? { db: text } : undefined; // expired: no copy kept
    if (!(await confirmCopy(key, text))) return text !== undefined ? { db: text } : undefined;
    return { cache: written.value };
  };

  return {
    engine: 'cached_db',
    capabilities: {
      serverSide: true,
      list: true,
      expiresOnItsOwn: false,
      keyPattern: SERVER_KEY_PATTERN,
      atomicCreate: true,
      compareAndSwap: db.capabilities.compareAndSwap === true,
    },

    async load(key): Promise<LoadResult> {
      if (stale.has(key)) {
        if ((await guarded('dropping a stale copy from', () => cache.delete(key))) !== undefined)
          stale.delete(key);
        if (stale.has(key)) return withVersion(await db.load(key), 'db');
      }
      const cached = await guarded('reading', () => cache.load(key));
      // The cached copy carries the row's expiry, so a hit is judged against the clock like the row.
      // The version says which copy was read: a compare-and-swap save compares against that one.
      if (cached?.outcome === 'hit') return withVersion(cached, 'cache');
      const result = withVersion(await db.load(key), 'db');
      if (result.outcome === 'hit' && result.expiresAt) {
        const record: SaveRecord = {
          data: result.data,
          expireDate: result.expiresAt,
          ageSeconds: Math.floor((result.expiresAt.getTime() - context.clock.nowMs()) / 1000),
        };
        // Add, not set: a copy written through meanwhile by a save elsewhere is newer than this
        // row read. And a fill that lands after such a save and its copy were dropped goes too.
        const skipped = skipping();
        const filled = skipped ? undefined : await guarded('filling', () => cache.write(key, record, 'add'));
        const text = (result.version as { db?: RecordVersion } | undefined)?.db;
        if (filled?.written && filled.value !== undefined)
          await confirmCopy(key, typeof text === 'string' ? text : undefined);
        else if (filled === undefined && !skipped) await dropCopy(key, true); // a fill that may land late
      }
      return result;
    },

    exists,

    async save(key, record, mustCreate) {
      const outcome = await db.save(key, record, mustCreate);
      return { ...outcome, version: await writeThrough(key, record, outcome?.version) };
    },

    /**
     * Compare-and-swap, always on the row. A load read from the database compares the row's text
     * it read. A load served from the cache compares the row as it is now, provided it still holds
     * the data of the cached copy (else the copy was stale or the row moved on: changed, and the
     * copy goes so the re-read comes from the row). The copy follows the swap (writeThrough).
     */
    async saveIf(key, record, expected) {
      const parts = expected as { cache?: string | Uint8Array; db?: string | Uint8Array };
      let compare = typeof parts.db === 'string' ? parts.db : undefined;
      if (compare === undefined && parts.cache !== undefined) {
        const copy = cache.decode(typeof parts.cache === 'string' ? parts.cache : Buffer.from(parts.cache));
        const row = await db.load(key);
        if (row.outcome === 'miss') {
          await dropCopy(key, false);
          return { written: false, reason: 'gone' };
        }
        if (
          row.outcome !== 'hit' ||
          typeof row.version !== 'string' ||
          copy.outcome !== 'hit' ||
          !sameData(row.data, copy.data)
        ) {
          await dropCopy(key, false);
          return { written: false, reason: 'changed' };
        }
        compare = row.version;
      }
      if (compare === undefined || !db.saveIf) return { written: false, reason: 'changed' };
      const result = await db.saveIf(key, record, compare);
      if (!result.written) return result;
      return { ...result, version: await writeThrough(key, record, result.version) };
    },

    async delete(key) {
      // The cached copy goes first and must go: left behind, it would keep a logged-out session
      // alive (CVE-2015-3982's lesson). If the cache cannot delete it, nothing is deleted and the
      // caller sees the error. A second delete removes a copy a concurrent load may have put back.
      await required('removing the cached copy', () => cache.delete(key));
      stale.delete(key);
      await db.delete(key);
      await guarded('deleting from', () => cache.delete(key));
    },

    // Rows are cleared in the database; cache entries expire by their TTL.
    clearExpired: (options?: ClearExpiredOptions) => db.clearExpired(options),
    list: (options: ListOptions) => {
      if (!db.list) throw new Error('The db store cannot list sessions.');
      return db.list(options);
    },
    async close() {
      await Promise.allSettled([db.close(), cache.backend.close()]);
    },
  };
}
