/**
 * The `cached_db` engine (Django's backends.cached_db): a write-through cache in front of the
 * `db` store, composed from the two rather than copied. The database is the source of truth: a
 * cache that fails to read falls back to it, a cache that fails to write is logged and the
 * request goes on, and deleting a session removes both copies.
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
import { SERVER_KEY_PATTERN } from '../store.js';
import type { SessionCache } from './cache.js';
import { createCacheGuard } from './cache-guard.js';

export const CACHED_DB_KEY_PREFIX = 'django.contrib.sessions.cached_db';

function withVersion(result: LoadResult, part: 'cache' | 'db'): LoadResult {
  if (result.outcome !== 'hit' || result.version === undefined) return result;
  const raw = result.version;
  return typeof raw === 'string' || raw instanceof Uint8Array
    ? { ...result, version: { [part]: raw } }
    : result;
}

export function createCachedDbStore(
  context: StoreContext,
  db: SessionStore,
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
    const skipped = skipping();
    const written = skipped ? undefined : await guarded('writing', () => cache.write(key, record, 'set'));
    // A failed write would leave the previous copy in the cache, and later loads would serve
    // that stale copy over the database's newer row: drop it (DEL works even when Redis is full),
    // or remember to before this key is read from the cache again.
    if (written === undefined) {
      const dropped = skipped
        ? undefined
        : await guarded('dropping a stale copy from', () => cache.delete(key), true);
      if (dropped === undefined && stale.size < MAX_STALE) stale.add(key);
    } else stale.delete(key);
    if (written?.value !== undefined) return { cache: written.value };
    return typeof dbVersion === 'string' ? { db: dbVersion } : undefined;
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
        await guarded('filling', () => cache.write(key, record, 'set'));
      }
      return result;
    },

    exists,

    async save(key, record, mustCreate) {
      const outcome = await db.save(key, record, mustCreate);
      return { ...outcome, version: await writeThrough(key, record, outcome?.version) };
    },

    /**
     * Compare-and-swap on the copy the load read. A cache copy is swapped by the Lua script, then
     * the row follows (Django's write order); a row read from the database is swapped by SQL, then
     * the cache follows. Either way a write made elsewhere since the load is seen.
     */
    async saveIf(key, record, expected) {
      const parts = expected as { cache?: string | Uint8Array; db?: string | Uint8Array };
      if (parts.cache !== undefined) {
        const compare = typeof parts.cache === 'string' ? parts.cache : Buffer.from(parts.cache);
        const swapped = await guarded('swapping', () => cache.writeIf(key, record, compare));
        if (swapped === undefined) {
          // The cache failed: the database is the truth; save there as Django would.
          const outcome = await db.save(key, record, false);
          return { written: true, ...outcome, version: await writeThrough(key, record, outcome?.version) };
        }
        if (!swapped.written) return { written: false, reason: (await exists(key)) ? 'changed' : 'gone' };
        try {
          const outcome = await db.save(key, record, false);
          return { written: true, bytes: outcome?.bytes, version: { cache: swapped.value } };
        } catch (error) {
          // The row is gone (a logout elsewhere): the copy just swapped in must not outlive it.
          await guarded('dropping a stale copy from', () => cache.delete(key));
          throw error;
        }
      }
      if (typeof parts.db === 'string' && db.saveIf) {
        const result = await db.saveIf(key, record, parts.db);
        if (!result.written) return result;
        return { ...result, version: await writeThrough(key, record, result.version) };
      }
      return { written: false, reason: 'changed' };
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
